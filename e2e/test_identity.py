"""Identity verification in Chromium: Parley('identify') with a hash or a JWT is one conversation on every
browser; an unverified identity and Parley('reset') see nothing of it."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import jwt
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import screenshot
from e2e.test_live_chat import open_chat_on_shop
from e2e.test_widget_api import STUB
from tests.processes import DemoDeployment, demo_deployment

MESSAGE = '[data-parley="message"]'


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: its contacts and conversations reach no other test."""
    with demo_deployment(tmp_path_factory.mktemp("identity-deployment")) as running:
        yield running


@pytest.fixture(scope="module")
def secret(deployment: DemoDeployment) -> str:
    """The demo site's identity secret, as its owner copies it to their server."""
    code = "from server.sites.models import Site; print('secret=' + Site.objects.get().identity_secret)"
    output = deployment.manage("shell", "-c", code)
    return output.split("secret=", 1)[1].split()[0]


def identified(page: Page, identity: dict[str, str]) -> Page:
    """The page calls Parley('identify', ...) before widget.js arrives, as a logged-in page would."""
    page.add_init_script(f"{STUB} Parley('identify', {json.dumps(identity)});")
    return page


def user_hash(secret: str, user_id: str) -> str:
    """What the site's server computes for the page."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def write(page: Page, deployment: DemoDeployment, text: str) -> None:
    """Open the chat on the shop and send `text`, waiting until the server stored it."""
    open_chat_on_shop(page, deployment)
    send(page, text)


def send(page: Page, text: str) -> None:
    """Send `text` from the open chat, waiting until the server stored it."""
    composer = page.locator('[data-parley="input"]')
    composer.fill(text)
    composer.press("Enter")
    expect(page.locator(f'{MESSAGE}:not([data-pending]):has-text("{text}")')).to_be_visible()


def online(page: Page) -> None:
    """Wait until the widget's socket is ready, so what it shows is what the server sent."""
    expect(page.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")


def test_a_verified_identity_is_one_conversation_on_every_browser(
    deployment: DemoDeployment, new_context, secret: str
) -> None:
    """A hash on the laptop, a JWT on the phone: the phone shows what the laptop wrote, and its answer
    reaches the laptop."""
    laptop = identified(
        new_context().new_page(), {"user_id": "u-42", "name": "Ann", "user_hash": user_hash(secret, "u-42")}
    )
    write(laptop, deployment, "Sent from the laptop")
    token = jwt.encode({"sub": "u-42", "exp": int(time.time()) + 300}, secret, algorithm="HS256")
    phone = identified(new_context().new_page(), {"token": token})
    open_chat_on_shop(phone, deployment)
    expect(phone.locator(MESSAGE, has_text="Sent from the laptop")).to_be_visible()
    composer = phone.locator('[data-parley="input"]')
    composer.fill("And this from the phone")
    composer.press("Enter")
    expect(laptop.locator(MESSAGE, has_text="And this from the phone")).to_be_visible()


@pytest.mark.parametrize("claim", ["wrong hash", "no hash", "expired token"])
def test_an_unverified_identity_sees_nothing_of_the_contact(
    deployment: DemoDeployment, new_context, secret: str, claim: str
) -> None:
    """The contact's id with a wrong hash, no hash or an expired JWT: a visitor of its own, nothing shown."""
    user_id = "u-7-" + claim.replace(" ", "-")
    verified = {"user_id": user_id, "user_hash": user_hash(secret, user_id)}
    contact = identified(new_context().new_page(), verified)
    write(contact, deployment, "Private to " + user_id)
    identity = {
        "wrong hash": {"user_id": user_id, "user_hash": user_hash("not the secret", user_id)},
        "no hash": {"user_id": user_id},
        "expired token": {"token": jwt.encode({"sub": user_id, "exp": int(time.time()) - 600}, secret)},
    }[claim]
    stranger = identified(new_context().new_page(), identity)
    open_chat_on_shop(stranger, deployment)
    online(stranger)
    stranger.wait_for_timeout(500)
    expect(stranger.locator(MESSAGE)).to_have_count(0)


def test_reset_is_a_new_anonymous_visitor_that_gets_nothing_of_the_old_conversation(
    deployment: DemoDeployment, new_context, secret: str
) -> None:
    """At logout Parley('reset') empties the thread; what the contact writes next, elsewhere, never
    reaches this page, and what is written here after the reset is not the contact's."""
    laptop = identified(new_context().new_page(), {"user_id": "u-9", "user_hash": user_hash(secret, "u-9")})
    write(laptop, deployment, "Before logging out")
    laptop.evaluate("() => Parley('reset')")
    expect(laptop.locator(MESSAGE)).to_have_count(0)
    online(laptop)
    send(laptop, "After logging out")
    phone = identified(new_context().new_page(), {"user_id": "u-9", "user_hash": user_hash(secret, "u-9")})
    open_chat_on_shop(phone, deployment)
    expect(phone.locator(MESSAGE, has_text="Before logging out")).to_be_visible()
    send(phone, "Still Ann's")
    laptop.wait_for_timeout(1000)
    expect(laptop.locator(MESSAGE, has_text="Still Ann's")).to_have_count(0)
    expect(phone.locator(MESSAGE, has_text="After logging out")).to_have_count(0)


def test_the_demo_shops_sign_in_and_sign_out(deployment: DemoDeployment, new_context) -> None:
    """`make run`'s shop: signed in as Ann on one browser, her conversation shows on another signed-in one;
    after Sign out the widget's thread is empty."""
    laptop = new_context().new_page()
    laptop.goto(deployment.shop_url)
    laptop.click('[data-demo="sign-in"]')
    laptop.locator('[data-parley="launcher"]').click()
    send(laptop, "Hello as Ann")
    phone = new_context().new_page()
    phone.goto(deployment.shop_url + "account/")
    phone.locator('[data-parley="launcher"]').click()
    expect(phone.locator(MESSAGE, has_text="Hello as Ann")).to_be_visible()
    screenshot(phone, "demo-shop-signed-in")
    laptop.click('[data-demo="sign-out"]')
    # The widget keeps its open state across pages: opened, not toggled.
    expect(laptop.locator('[data-parley="launcher"]')).to_be_visible()
    laptop.evaluate("() => Parley('open')")
    online(laptop)
    laptop.wait_for_timeout(500)
    expect(laptop.locator(MESSAGE)).to_have_count(0)
