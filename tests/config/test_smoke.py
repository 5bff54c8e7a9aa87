def test_it_loads_the_personas(applicant_a, manager, other_manager, reviewer, draft):
    assert draft.organisation.members.filter(pk=applicant_a.pk).exists()
    assert not draft.organisation.members.filter(pk=manager.pk).exists()
