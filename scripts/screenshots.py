# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Screenshots of the running demo: log in with headless Chromium (DevTools
protocol over a websocket) and save PNGs of the pages a merchant sees first.

One folder per language (out/en_US, out/de_DE, out/nl_NL): the administrator's
language is switched for each and restored after. Run by scripts/screenshots.sh; by hand:
``python scripts/screenshots.py --url http://localhost:8069 --db connectors_demo --out out``.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import requests
import websocket

PAGES = [
    # (file, what, path, CSS selector that must be on the page[, "scroll" to bring it into view])
    (
        "dashboard.png",
        "dashboard",
        "/odoo/action-connector_base.action_connector_dashboard",
        ".o_kanban_record",
    ),
    (
        "account_form.png",
        "account form",
        "/odoo/action-connector_base.action_connector_account/{account}",
        ".o_form_view .o_notebook",
    ),
    (
        "needs_attention.png",
        "needs attention",
        "/odoo/action-connector_base.action_connector_order_attention",
        ".o_list_view",
    ),
    (
        "settings.png",
        "Sales settings, Channel connectors",
        "/odoo/action-sale.action_sale_config_settings",
        "#connector_accounts",
        "scroll",
    ),
    (
        "sale_orders.png",
        "sales orders from the channels",
        "/odoo/action-sale.action_orders?view_type=list",
        ".o_list_view .o_data_row",
    ),
]


def rpc(session, url, route, params):
    answer = session.post(
        url + route, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=30
    )
    answer.raise_for_status()
    body = answer.json()
    if body.get("error"):
        raise RuntimeError(body["error"].get("data", {}).get("message") or body["error"])
    return body["result"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of the DevTools protocol: navigate, wait for a selector, capture."""

    def __init__(self, width=1440, height=900):
        binary = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
        if not binary:
            sys.exit("Chromium not found: apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="connector-shots-")
        port = free_port()
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=1).json()
                page = next(t for t in targets if t["type"] == "page")
                break
            except (requests.RequestException, StopIteration, ValueError):
                time.sleep(0.2)
        else:
            self.close()
            sys.exit("Chromium did not start")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.seq = 0
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.seq:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url, selector, timeout=30):
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        probe = f"!!document.querySelector({json.dumps(selector)})"
        while time.monotonic() < deadline:
            if self.evaluate(probe):
                time.sleep(1.5)  # let the last RPCs and fonts settle
                return True
            time.sleep(0.3)
        return False

    def capture(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="connectors_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="out")
    parser.add_argument(
        "--langs", default="en_US,de_DE,nl_NL", help="one folder of screenshots per language, e.g. out/de_DE"
    )
    args = parser.parse_args()

    session = requests.Session()
    rpc(session, args.url, "/web/session/authenticate",
        {"db": args.db, "login": args.login, "password": args.password})  # fmt: skip
    accounts = rpc(session, args.url, "/web/dataset/call_kw/connector.account/search_read", {
        "model": "connector.account", "method": "search_read", "args": [[]],
        "kwargs": {"fields": ["id", "provider"], "order": "sequence, id"},
    })  # fmt: skip
    if not accounts:
        sys.exit("no channel account in the demo database")
    account = next((a for a in accounts if a["provider"] == "kaufland"), accounts[0])
    uid = rpc(session, args.url, "/web/session/get_session_info", {})["uid"]

    def call(model, method, *positional, **kwargs):
        params = {"model": model, "method": method, "args": list(positional), "kwargs": kwargs}
        return rpc(session, args.url, f"/web/dataset/call_kw/{model}/{method}", params)

    def user_lang(lang=None):
        """The administrator's language: read, or written as the preferences dialog does."""
        if lang:
            return call("res.users", "write", [uid], {"lang": lang})
        return call("res.users", "read", [uid], fields=["lang"])[0]["lang"]

    original_lang = user_lang()
    browser = Browser()
    saved = []
    try:
        browser.send("Network.enable")
        browser.send("Network.setCookie", name="session_id", value=session.cookies["session_id"],
                     url=args.url, path="/", httpOnly=True)  # fmt: skip
        for lang in args.langs.split(","):
            user_lang(lang)
            out = os.path.join(args.out, lang)
            os.makedirs(out, exist_ok=True)
            saved += shoot(browser, args.url, account, out)
    finally:
        browser.close()
        user_lang(original_lang)
    return saved


def shoot(browser, url, account, out):
    saved = []
    for filename, what, path, selector, *scroll in PAGES:
        target = os.path.join(out, filename)
        if not browser.open(url + path.format(account=account["id"]), selector):
            print(f"  {what}: {selector} did not appear, saved anyway: {target}")
        elif scroll:
            browser.evaluate(
                f"document.querySelector({json.dumps(selector)}).scrollIntoView({{block: 'center'}})"
            )
            time.sleep(0.5)
        browser.capture(target)
        saved.append(target)
        print(f"  {what}: {target}")
    return saved


if __name__ == "__main__":
    main()
