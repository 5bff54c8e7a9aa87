"""The agreement PDF, written for people."""


def test_the_agreement_writes_percentages_and_categories_for_people(grant_40_40_20):
    from grants.agreement import agreement_pdf

    pdf = agreement_pdf(grant_40_40_20)
    assert b"E+1" not in pdf and b"E+" not in pdf
    assert b"(Activities and" in pdf  # the category's name (wrapped), not its code
    assert b"(activities)" not in pdf
