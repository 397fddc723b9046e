/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * An administrator connects a Kaufland shop and gets a parked order imported:
 * create the account, test the connection, synchronize, open the dashboard,
 * open the order that needs attention, create the missing product, retry.
 *
 * Data (emulator, company, orders) comes from marketplace_kaufland/tests/test_ui_tour.py;
 * the emulator's port arrives in the cookie "kaufland_tour_emulator_port".
 */
function emulatorUrl() {
    const match = document.cookie.match(/(?:^|;\s*)kaufland_tour_emulator_port=(\d+)/);
    return `http://127.0.0.1:${match ? match[1] : "0"}/v2`;
}

function openMenu(parentXmlid, itemXmlid, label, breadcrumb = label) {
    return [
        {
            content: `Open the ${label} menu`,
            trigger: `.o_main_navbar .o-dropdown[data-menu-xmlid="${parentXmlid}"]`,
            run: "click",
        },
        {
            content: `Click ${label}`,
            trigger: `.o-dropdown-item[data-menu-xmlid="${itemXmlid}"]`,
            run: "click",
        },
        {
            content: `${label} is open`,
            trigger: `.o_breadcrumb .o_last_breadcrumb_item:contains(${breadcrumb})`,
        },
    ];
}

/**
 * The account set-up, in the administrator's language: `text` holds the labels the
 * steps look for (English below, German in the German tour), so the German tour fails
 * when a label it reads is not translated.
 */
function accountSetupSteps(text) {
    return [
        ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open the Sales app"),
        ...openMenu("sale.menu_sale_config", "connector_base.menu_connector_accounts", text.channelAccounts),
        {
            content: "Create an account",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Name the shop",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Kaufland",
        },
        {
            content: "Choose the channel",
            trigger: ".o_field_widget[name=provider] .o_select_menu input",
            run: "click",
        },
        {
            content: "Kaufland",
            trigger: ".o-dropdown--menu .o_select_menu_item:contains(Kaufland)",
            run: "click",
        },
        {
            content: "Client key",
            trigger: ".o_field_widget[name=kaufland_client_key] input",
            run: "edit d3m0c1i3nt0000000000000000000001",
        },
        {
            content: "Secret key",
            trigger: ".o_field_widget[name=kaufland_secret_key] input",
            run: "edit b3575f222f7b768c25160b879699118b331c6883dd6010864b7ead130be77cd5",
        },
        {
            content: "Storefronts",
            trigger: ".o_field_widget[name=kaufland_storefronts] input",
            run: "edit de",
        },
        {
            content: "Point the account at the local Kaufland emulator",
            trigger: ".o_field_widget[name=api_base_url] input",
            async run(helpers) {
                await helpers.edit(emulatorUrl());
            },
        },
        ...stepUtils.saveForm(),
        {
            content: "Test the connection",
            trigger: ".o_form_view button[name=action_test_connection]",
            run: "click",
        },
        {
            content: "Kaufland accepts the keys",
            trigger: `.o_notification:contains(${text.connectionSuccessful})`,
        },
        {
            content: "The account is connected",
            trigger: `.o_statusbar_status button.o_arrow_button_current:contains(${text.connected})`,
        },
        {
            content: "Synchronize the orders",
            trigger: ".o_form_view button[name=action_sync_orders]",
            run: "click",
        },
        {
            content: "Two orders were fetched",
            trigger: `.o_notification:contains(${text.twoOrdersFetched})`,
        },
        ...openMenu("connector_base.menu_connector_root", "connector_base.menu_connector_dashboard", text.dashboard, text.channels),
        {
            content: "The dashboard shows one order imported today",
            trigger: ".o_kanban_record:contains(Tour Kaufland) .o_connector_today:contains(1)",
        },
        {
            content: "The card draws the orders of the last two weeks and says the sync is up to date",
            trigger: ".o_kanban_record:contains(Tour Kaufland) .o_connector_dashboard_graph canvas",
        },
        {
            content: "The sync health is shown",
            trigger: `.o_kanban_record:contains(Tour Kaufland) .o_connector_sync_health:contains(${text.upToDate})`,
        },
    ];
}

const ENGLISH = {
    channelAccounts: "Channel accounts",
    connectionSuccessful: "Connection successful",
    connected: "Connected",
    twoOrdersFetched: "2 orders fetched: 2 new",
    dashboard: "Dashboard",
    channels: "Channels",
    upToDate: "Up to date",
};

// The German administrator's words: connector_base/i18n/de.po and marketplace_kaufland/i18n/de.po.
const GERMAN = {
    channelAccounts: "Kanalkonten",
    connectionSuccessful: "Verbindung erfolgreich",
    connected: "Verbunden",
    twoOrdersFetched: "2 Aufträge abgerufen: 2 neu",
    dashboard: "Dashboard",
    channels: "Kanäle",
    upToDate: "Aktuell",
};

registry.category("web_tour.tours").add("marketplace_kaufland_account_tour_de", {
    url: "/odoo",
    steps: () => accountSetupSteps(GERMAN),
});

registry.category("web_tour.tours").add("marketplace_kaufland_account_tour", {
    url: "/odoo",
    steps: () => [
        ...accountSetupSteps(ENGLISH),
        {
            content: "Open the order that needs attention",
            trigger: ".o_kanban_record:contains(Tour Kaufland) a.o_connector_attention:contains(1)",
            run: "click",
        },
        {
            content: "Open the parked order",
            trigger: ".o_list_view .o_data_row:contains(LAMP-1) .o_data_cell[name=reference]",
            run: "click",
        },
        {
            content: "The reason names the missing SKU",
            trigger: ".o_form_view .alert:contains(LAMP-1)",
        },
        // Fix the cause: the product does not exist in Odoo yet.
        ...openMenu("sale.product_menu_catalog", "sale.menu_product_template_action", "Products"),
        {
            content: "Create the product",
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new, .o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Product name",
            trigger: ".o_field_widget[name=name] textarea, .o_field_widget[name=name] input",
            run: "edit Desk lamp",
        },
        {
            content: "Its SKU on Kaufland",
            trigger: ".o_field_widget[name=default_code] input",
            run: "edit LAMP-1",
        },
        ...stepUtils.saveForm(),
        ...openMenu("connector_base.menu_connector_root", "connector_base.menu_connector_attention", "Needs attention"),
        {
            content: "Open the parked order again",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=reference]",
            run: "click",
        },
        {
            content: "Retry the import",
            trigger: ".o_form_view .o_form_statusbar button[name=action_retry]",
            run: "click",
        },
        {
            content: "The order is imported",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Imported)",
        },
        {
            content: "Its sales order is one click away",
            trigger: ".o_form_view button[name=action_open_sale_order]",
            run: "click",
        },
        {
            content: "The sales order shows the channel",
            trigger: ".o_form_view .o_field_widget[name=connector_account_id]:contains(Tour Kaufland)",
        },
    ],
});
