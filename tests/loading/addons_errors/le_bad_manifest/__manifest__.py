{
    "name": "Broken manifest",
    "depends": ["base"]
    "data": [],
}
