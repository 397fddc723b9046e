# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Draw each addon's static/description/icon.png: the channel's initials, white on a
coloured rounded square (128 x 128, transparent corners). Our own plain drawing, no
channel logo: the colours are not the channels' brand colours.

    python3 scripts/gen_addon_icon.py [addon ...]    (default: every addon below)

Needs Pillow (Odoo's own requirement). The text uses Pillow's bundled font, so the
drawing does not depend on the fonts of the machine.
"""

import os
import sys

from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# addon -> (initials, background colour)
ICONS = {
    "connector_base": ("CC", (69, 90, 100)),  # Channel Connectors: slate
    "marketplace_kaufland": ("KL", (173, 52, 62)),  # Kaufland: brick red
    "marketplace_amazon": ("AZ", (46, 110, 84)),  # Amazon: green
    "shop_ccv": ("CCV", (33, 96, 166)),  # CCV Shop: blue
    "shop_mijnwebwinkel": ("MW", (106, 63, 145)),  # MijnWebwinkel: purple
}
SIZE = 128
SCALE = 4  # drawn 4 times larger, then reduced: smooth edges


def draw_icon(initials, colour):
    big = SIZE * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=22 * SCALE, fill=colour + (255,))
    font_size = (56 if len(initials) < 3 else 42) * SCALE
    font = ImageFont.load_default(size=font_size)
    draw.text((big / 2, big / 2), initials, font=font, fill=(255, 255, 255, 255), anchor="mm")
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main(argv=None):
    addons = (argv if argv is not None else sys.argv[1:]) or list(ICONS)
    for addon in addons:
        initials, colour = ICONS[addon]
        path = os.path.join(ROOT, addon, "static", "description", "icon.png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        draw_icon(initials, colour).save(path, optimize=True)
        print(f"wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
