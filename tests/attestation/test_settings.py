"""Module settings page (SET-1…SET-5)."""

import pytest
from django.urls import reverse

from access.models import License, Module
from attestation.models import ModuleSettings
from audit.models import AuditEntry
from tests import factories as f
from tests.html import input_tag, is_checked, shown_page
from tests.personas import PERSONAS

URL = reverse("attestation:settings")

# SET-1: the settings right edits; read-mode "view all" roles see the values only.
EXPECTED = dict.fromkeys(PERSONAS, 403) | {
    "anonymous": 302,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
}


def _post(client, kind="intermediate", **fields):
    obj = ModuleSettings.for_kind(kind)
    data = {"tab": kind, f"{kind}-version": obj.updated_at.isoformat() if obj.updated_at else ""}
    data[f"{kind}-distribution_form"] = fields.pop("distribution_form", obj.distribution_form)
    if fields.pop("distribute_whole_stream", obj.distribute_whole_stream):
        data[f"{kind}-distribute_whole_stream"] = "on"
    data[f"{kind}-allowed_study_periods"] = [str(v) for v in fields.pop("study_periods", [])]
    data.update(fields)
    return client.post(URL, data)


@pytest.mark.req("SET-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_settings_page_per_persona(college, login, persona):
    client = login(college.users.get(persona))
    response = client.get(URL)
    assert response.status_code == EXPECTED[persona]
    home = client.get(reverse("home"))
    menu_has_settings = home.status_code == 200 and URL in home.content.decode()
    assert menu_has_settings is (EXPECTED[persona] == 200)


@pytest.mark.req("SET-1")
def test_settings_without_the_license_do_not_exist(college, login):
    f.set_license(License.Code.ONLINE_IA, False)
    assert login(college.users["registrar"]).get(URL).status_code == 404


@pytest.mark.req("SET-1", "SET-2", "SET-3", "SET-4")
def test_defaults_and_first_tab(college, login):
    page = login(college.users["registrar"]).get(URL).content.decode()
    assert "Conducting online attestation. Settings" in page
    assert 'aria-current="page">Intermediate attestation' in page
    assert "Online FSA" not in page  # no FSA license
    assert is_checked(page, "intermediate-distribute_whole_stream")
    assert is_checked(page, "intermediate-distribution_form", "random")
    assert not is_checked(page, "intermediate-distribution_form", "self_choice")
    for sp in college.study_periods:
        assert not is_checked(page, "intermediate-allowed_study_periods", str(sp.pk))
    assert "None chosen" in page


@pytest.mark.req("SET-2", "SET-3", "SET-4", "SET-5")
def test_save_stores_every_setting_and_audits(college, login):
    client = login(college.users["registrar"])
    ids = [sp.pk for sp in college.study_periods]
    response = _post(
        client, distribute_whole_stream=False, distribution_form="self_choice", study_periods=ids
    )
    assert response.status_code == 302
    obj = ModuleSettings.for_kind()
    assert (obj.distribute_whole_stream, obj.distribution_form) == (False, "self_choice")
    assert set(obj.allowed_study_periods.values_list("pk", flat=True)) == set(ids)
    entry = AuditEntry.objects.get(action="settings.update")
    assert entry.before["distribution_form"] == "random" and entry.after["distribution_form"] == "self_choice"


@pytest.mark.req("SET-4")
def test_more_than_three_study_periods_show_three_names_and_plus_n(college, login):
    extra = [f.StudyPeriodFactory(months=m, name=f"{m} months") for m in (10, 22, 58, 70)]
    obj = f.stored_settings()
    obj.allowed_study_periods.set([*college.study_periods, *extra])
    page = login(college.users["registrar"]).get(URL).content.decode()
    summary = page.split('class="multiselect-summary">')[1].split("</summary>")[0]
    assert summary.count('class="badge"') == 3
    assert '<strong class="more">+3</strong>' in summary


@pytest.mark.req("SET-4")
def test_unknown_study_period_is_refused_and_nothing_changes(college, login):
    client = login(college.users["registrar"])
    response = _post(
        client, study_periods=[college.study_periods[0].pk, 999999], distribution_form="self_choice"
    )
    assert response.status_code == 400
    assert "999999" in response.content.decode()
    obj = ModuleSettings.for_kind()
    assert obj.distribution_form == "random" and not obj.allowed_period_ids()
    # The user's choice comes back ticked.
    page = response.content.decode()
    assert is_checked(page, "intermediate-distribution_form", "self_choice")


@pytest.mark.req("SET-5")
def test_stale_form_is_refused(college, login):
    client = login(college.users["registrar"])
    stale = f.stored_settings().updated_at.isoformat()
    assert _post(client, distribution_form="self_choice").status_code == 302
    response = client.post(
        URL,
        {"tab": "intermediate", "intermediate-version": stale, "intermediate-distribution_form": "random"},
    )
    assert response.status_code == 400
    assert "Someone else changed these settings meanwhile" in response.content.decode()
    assert ModuleSettings.for_kind().distribution_form == "self_choice"


@pytest.mark.req("SET-1", "ADM-3")
@pytest.mark.parametrize("persona", ["reader", "head_dept"])
def test_read_mode_sees_values_but_cannot_change(college, login, persona):
    client = login(college.users[persona])
    page = shown_page(client.get(URL))
    assert "disabled" in input_tag(page, "intermediate-distribute_whole_stream")
    assert ">Save</button>" not in page
    assert _post(client, distribution_form="self_choice").status_code == 403
    assert ModuleSettings.for_kind().distribution_form == "random"


@pytest.mark.req("SET-1")
def test_fsa_tab_appears_with_its_license_and_module_and_keeps_its_own_values(college, login):
    f.set_license(License.Code.ONLINE_FSA, True)
    f.attach(college.roles.registrar, Module.FSA_STAFF, mode="edit", may_define_settings=True)
    client = login(college.users["registrar"])
    page = client.get(URL).content.decode()
    assert page.index("Intermediate attestation") < page.index("Online FSA")
    assert _post(client, kind="fsa", distribution_form="self_choice").status_code == 302
    assert ModuleSettings.for_kind("fsa").distribution_form == "self_choice"
    assert ModuleSettings.for_kind("intermediate").distribution_form == "random"
    # Without the FSA module the tab is refused.
    assert login(college.users["reader"]).get(URL + "?tab=fsa").status_code == 404
