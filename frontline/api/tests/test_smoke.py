from frontline.customers.factories import CustomerFactory


def test_create_then_get_ticket(agent_api, team):
    customer = CustomerFactory()
    created = agent_api.post(
        "/tickets",
        {
            "subject": "Fridge not cooling",
            "body_text": "It stopped yesterday",
            "requester_id": customer.pk,
            "team_id": team.pk,
            "tags": ["fridge"],
        },
    )
    assert created.status_code == 201, created.content
    ticket = created.json()
    got = agent_api.get(f"/tickets/{ticket['id']}")
    assert got.status_code == 200
    assert got.json()["messages"][0]["body_text"] == "It stopped yesterday"
    listed = agent_api.get("/tickets", team_id=team.pk, status="new")
    assert [t["id"] for t in listed.json()["items"]] == [ticket["id"]]
    found = agent_api.get("/tickets", q="stopped")
    assert [t["id"] for t in found.json()["items"]] == [ticket["id"]]
