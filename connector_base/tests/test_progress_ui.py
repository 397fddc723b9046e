# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser test: the account form and its dashboard card show a run's "n of m"."""

from odoo.tests import HttpCase, tagged

WAIT_FOR = """
(async () => {
    for (let i = 0; i < 150; i++) {
        const found = [...document.querySelectorAll("%(selector)s")].find(
            (el) => el.innerText.includes("%(text)s")
        );
        if (found) {
            console.log("test successful");
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.error("not shown: %(text)s in " + document.body.innerText.slice(0, 800));
})();
"""


@tagged("post_install", "-at_install")
class TestProgressUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["connector.account"].create(
            {"name": "Progress Shop", "company_id": cls.env.ref("base.main_company").id}
        )
        cls.env["connector.progress"].create(
            {"account_id": cls.account.id, "kind": "catalogue", "step": "listings", "done": 100, "total": 250}
        )

    def test_form_and_dashboard_show_n_of_m(self):
        self.browser_js(
            f"/odoo/action-connector_base.action_connector_account/{self.account.id}",
            WAIT_FOR % {"selector": ".o_form_view .o_connector_progress", "text": "100 of 250 listings"},
            login="admin",
        )
        self.browser_js(
            "/odoo/action-connector_base.action_connector_dashboard",
            WAIT_FOR % {"selector": ".o_kanban_record .o_connector_progress", "text": "100 of 250 listings"},
            login="admin",
        )
