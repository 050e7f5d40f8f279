"""Every notification mail names the service centre, categories and PIs: rendered from the real
events through the worker's own path (side effects -> notification -> compose), no UUID shows
where a name belongs."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import pytest

from registry import starter
from tests.integration.newcomer.conftest import Fresh
from workers.follower import side_effects
from workers.mail import MailSettings, compose
from workers.registry_adapter import RegistryNotifications

pytestmark = pytest.mark.integration
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
SETTINGS = MailSettings(admin_address="office@denbi.de", site_url="https://registry.example")


def _mails(fresh: Fresh, submission_id: str) -> list[tuple[str, EmailMessage]]:
    """Every mail the worker would send for the submission, in log order."""
    notifications = RegistryNotifications(fresh.registry)
    out = []
    head = fresh.registry.recorder.max_notification_id() or 0
    for item in fresh.registry.recorder.select_notifications(1, head):
        event = fresh.registry.mapper.to_domain_event(item)
        for actor, (kind, sid, position) in side_effects(event, item.id):
            if actor != "send_mail" or sid != submission_id:
                continue
            found = notifications.notification(kind, sid, position)
            assert found is not None
            for message in compose(
                kind,
                found.submission,
                SETTINGS,
                changes=found.changes,
                status_reset=found.status_reset,
            ):
                out.append((kind, message))
    return out


def _bodies(message: EmailMessage) -> str:
    parts = [message.get_body((kind,)) for kind in ("plain", "html")]
    return "\n".join(str(part.get_content()) for part in parts if part is not None)


def test_every_mail_names_centres_categories_and_pis_and_shows_no_other_id(
    fresh: Fresh,
) -> None:
    admin = fresh.admin_key()
    pi: dict[str, Any] = fresh.client.post(
        "/api/v1/pis/", json={"last_name": "Hopper", "first_name": "Grace"}, headers=admin
    ).json()
    categories = fresh.client.get("/api/v1/registration/options/").json()["service_categories"]
    by_name = {c["name"]: c["id"] for c in categories["choices"]}
    created = fresh.register(
        service_category_ids=[by_name["Database"], by_name["Toolbox"]],
        service_center_id=str(starter.centre_id("BiGi")),
        responsible_pi_ids=[pi["id"], str(starter.PARTNER_ID)],
        kpi_monitoring="yes",
        kpi_since="2019",
    )
    sid = created["id"]
    owner = {"Authorization": f"ApiKey {created['api_key']}"}
    amended = fresh.client.patch(
        f"/api/v1/submissions/{sid}/",
        json={
            "service_center_id": str(starter.centre_id("HD-HuB")),
            "service_category_ids": [by_name["Web application"]],
            "responsible_pi_ids": [pi["id"]],
        },
        headers=owner,
    )
    assert amended.status_code == 200, amended.text
    approved = fresh.client.post(
        f"/api/v1/submissions/{sid}/status/", json={"status": "approved"}, headers=admin
    )
    assert approved.status_code == 200, approved.text

    mails = _mails(fresh, sid)
    assert [kind for kind, _ in mails] == ["created"] * 2 + ["updated"] * 2 + ["status_changed"] * 2
    for kind, message in mails:
        text = _bodies(message)
        assert set(UUID_TEXT.findall(text)) <= {sid}, (kind, message["To"])
    created_admin = _bodies(mails[0][1])
    assert "BiGi — Bielefeld-Gießen Resource Center for Microbial Bioinformatics" in created_admin
    assert "Database, Toolbox" in created_admin
    assert "Associated partner [please state below], Hopper, Grace" in created_admin
    assert "KPI Monitoring: Yes" in created_admin  # the field catalogue's label
    assert "KPI Since: 2019" in created_admin
    updated_admin = _bodies(mails[2][1])
    assert "HD-HuB — Heidelberg Center for Human Bioinformatics" in updated_admin
    assert "Service Centre: BiGi — Bielefeld-Gießen" in updated_admin  # the change, before
    assert "Categories: Web application" in updated_admin
    updated_submitter = _bodies(mails[3][1])
    assert "Responsible PIs: Associated partner [please state below], Hopper, Grace" in (
        updated_submitter
    )
    assert UUID(sid)  # the submission's own id is the one id a mail carries
