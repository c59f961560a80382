def test_query_counts_chain(env, assert_query_count):
    country = env["test_orm.country"].create([{"name": f"C{i}"} for i in range(5)])
    partners = env["test_orm.partner"].create(
        [{"name": f"P{i}", "country_id": country[i].id} for i in range(5)]
    )
    records = env["test_orm.base"].create(
        [{"name": f"R{i}", "partner_id": partners[i].id, "value": i} for i in range(5)]
    )
    env.flush_all()
    env.invalidate_all()
    records = records.browse(records.ids)
    with assert_query_count(2):  # records + partners (joined), countries
        names = [rec.partner_id.country_id.name for rec in records]
    assert names == [f"C{i}" for i in range(5)]
    with assert_query_count(0):
        [rec.partner_id.country_id.name for rec in records]
