# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plain Python services of the engine, used by the models (not models themselves)."""
