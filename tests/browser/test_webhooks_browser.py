"""In Chromium, in Chinese: a project manager adds a webhook endpoint (a receiver started here), copies
the secret shown once, sends a test event and finds it delivered in the log; the same page on a phone."""

from playwright.sync_api import expect

from planner.auth.models import GlobalRole
from tests.test_webhooks import Receiver, verified


def test_a_manager_adds_an_endpoint_and_sends_a_test_event(page, app, monkeypatch, live_server, make_user,
                                                           make_project, browser_login, screenshot):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    manager = make_user(email="pm@example.com", name="王芳", role=GlobalRole.MANAGER, language="zh")
    project = make_project(manager=manager, name="华信家电")
    receiver = Receiver()
    try:
        browser_login(page, manager, language="zh")
        page.goto(f"{live_server}/projects/{project.id}/webhooks")
        expect(page.get_by_text("尚无端点。")).to_be_visible()
        page.get_by_role("link", name="添加端点").click()
        page.get_by_label("地址（URL）").fill(receiver.url)
        page.get_by_label("说明").fill("实施项目群")
        page.get_by_label("任务逾期").check()
        screenshot(page, "webhook-form-zh")
        page.get_by_role("button", name="添加该端点").click()
        secret = page.locator("[data-webhook-secret]").inner_text().strip()
        assert secret.startswith("whsec_")
        page.get_by_role("button", name="发送测试事件").click()
        expect(page.get_by_text("测试事件已发出。")).to_be_visible()
        expect(page.get_by_role("cell", name="已送达")).to_be_visible()
        expect(page.locator("[data-webhook-secret]")).to_have_count(0)  # not shown again unless asked
        screenshot(page, "webhook-endpoint-zh")
        body = verified(secret, receiver.requests[0])
        assert body["type"] == "webhook.test"
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "webhook-endpoint-zh-phone")
    finally:
        receiver.close()
