"""Access rules for the webhook pages: the project's managers only. Staff, sponsors and administrators
who are not members get 403; the manager of another project (the outsider) 404; an endpoint or a
delivery of project B under project A's URL, 404 for everyone who may use the pages.

The endpoints point at 127.0.0.1, which the test configuration does not allow (no
WEBHOOKS_ALLOW_PRIVATE): a delivery the matrix causes is refused before any connection."""

from tests.access.matrix import MANAGERS, Rule, foreign

ENDPOINT = {"url": "https://93.184.215.14/hooks/rollout", "description": "团队群", "events": ["task.created"]}
BASE = "/projects/{project}/webhooks"

RULES = [
    Rule("webhooks.index", BASE, MANAGERS),
    Rule("webhooks.new", BASE + "/new", MANAGERS),
    Rule("webhooks.new", BASE + "/new", MANAGERS, method="POST", data=ENDPOINT, success=201),
    Rule("webhooks.endpoint", BASE + "/{endpoint}", MANAGERS),
    Rule("webhooks.endpoint", BASE + "/{foreign_endpoint}", foreign(MANAGERS)),
    Rule("webhooks.edit", BASE + "/{endpoint}/edit", MANAGERS),
    Rule("webhooks.edit", BASE + "/{endpoint}/edit", MANAGERS, method="POST", data=ENDPOINT,
         success=BASE + "/{endpoint}"),
    Rule("webhooks.edit", BASE + "/{foreign_endpoint}/edit", foreign(MANAGERS)),
    Rule("webhooks.edit", BASE + "/{foreign_endpoint}/edit", foreign(MANAGERS), method="POST", data=ENDPOINT),
    Rule("webhooks.delete", BASE + "/{endpoint}/delete", MANAGERS, method="POST", success=BASE),
    Rule("webhooks.delete", BASE + "/{foreign_endpoint}/delete", foreign(MANAGERS), method="POST"),
    Rule("webhooks.send_test", BASE + "/{endpoint}/test", MANAGERS, method="POST", success=BASE + "/{endpoint}"),
    Rule("webhooks.send_test", BASE + "/{foreign_endpoint}/test", foreign(MANAGERS), method="POST"),
    Rule("webhooks.disable", BASE + "/{endpoint}/disable", MANAGERS, method="POST", success=BASE + "/{endpoint}"),
    Rule("webhooks.disable", BASE + "/{foreign_endpoint}/disable", foreign(MANAGERS), method="POST"),
    Rule("webhooks.enable", BASE + "/{off_endpoint}/enable", MANAGERS, method="POST",
         success=BASE + "/{off_endpoint}"),
    Rule("webhooks.enable", BASE + "/{foreign_endpoint}/enable", foreign(MANAGERS), method="POST"),
    Rule("webhooks.reveal_secret", BASE + "/{endpoint}/secret", MANAGERS, method="POST", success=200),
    Rule("webhooks.reveal_secret", BASE + "/{foreign_endpoint}/secret", foreign(MANAGERS), method="POST"),
    Rule("webhooks.rotate_secret", BASE + "/{endpoint}/rotate", MANAGERS, method="POST", success=200),
    Rule("webhooks.rotate_secret", BASE + "/{foreign_endpoint}/rotate", foreign(MANAGERS), method="POST"),
    Rule("webhooks.delivery_page", BASE + "/{endpoint}/deliveries/{delivery}", MANAGERS),
    Rule("webhooks.delivery_page", BASE + "/{foreign_endpoint}/deliveries/{foreign_delivery}", foreign(MANAGERS)),
    Rule("webhooks.delivery_page", BASE + "/{endpoint}/deliveries/{foreign_delivery}", foreign(MANAGERS)),
    Rule("webhooks.resend", BASE + "/{endpoint}/deliveries/{delivery}/resend", MANAGERS, method="POST",
         success=BASE + "/{endpoint}"),
    Rule("webhooks.resend", BASE + "/{endpoint}/deliveries/{foreign_delivery}/resend", foreign(MANAGERS),
         method="POST"),
]


def setup(world):
    from tests.webhook_factories import make_delivery, make_endpoint

    endpoint = make_endpoint(world.project, url="http://127.0.0.1:9/项目甲", events=["task.created"],
                             created_by=world.users["manager"])
    off = make_endpoint(world.project, url="http://127.0.0.1:9/off", active=False)
    other = make_endpoint(world.other_project, url="http://127.0.0.1:9/项目乙", created_by=world.users["outsider"])
    delivery = make_delivery(endpoint)
    foreign_delivery = make_delivery(other)
    world.ids.update(endpoint=endpoint.id, off_endpoint=off.id, foreign_endpoint=other.id, delivery=delivery.id,
                     foreign_delivery=foreign_delivery.id)
