"""A visitor downloads a programme's grants as open data from the public list, in Chromium."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.browser


def test_a_visitor_downloads_the_open_data_from_the_public_list(
    live_server, page, call, org_a, applicant_a, manager
):
    grant = f.awarded_grant(call=call, organisation=org_a, manager=manager, member=applicant_a)
    page.goto(f"{live_server.url}{reverse('public-programme-grants', args=[call.programme_id])}")

    with page.expect_download() as json_download:
        page.get_by_role("link", name="360Giving (JSON)").click()
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [g["title"] for g in data["grants"]] == [grant.title]
    assert json_download.value.suggested_filename.endswith(".json")

    with page.expect_download() as xml_download:
        page.get_by_role("link", name="IATI").click()
    activities = ET.parse(xml_download.value.path()).getroot()
    assert activities.tag == "iati-activities"
    assert len(activities.findall("iati-activity")) == 1
