"""Request forms a fashion retailer's staff would really file, for the three demo processes.

Each generator returns data valid against its definition's JSON Schema (the engine
validates it on start and resubmit; a generator drifting from the YAML fails loudly).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from engine.core.directory import OrgDirectory

REGION_OF_DIRECTOR = {"zhao.lei": "east", "sun.li": "north", "huang.tao": "south"}
CITIES = {
    "east": ["Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo", "Wuxi"],
    "north": ["Beijing", "Tianjin", "Qingdao", "Jinan", "Shenyang", "Dalian"],
    "south": ["Guangzhou", "Shenzhen", "Xiamen", "Fuzhou", "Dongguan", "Nanning"],
}
MALLS = ["Wanda Plaza", "MixC", "Joy City", "IFS", "Raffles City", "Taikoo Li", "K11",
         "Longfor Paradise Walk", "Grand Gateway", "Global Harbor", "Hopson One", "Uni Walk"]
LANDLORDS = ["Wanda Commercial", "China Resources Land", "Longfor", "Swire Properties",
             "Hang Lung", "Joy City Holdings", "CapitaLand", "New World"]
STORE_CODES = {"bai.lu": "SH012", "kong.yi": "BJ007", "fang.qi": "GZ021"}
SAMPLE_ITEMS = ["Window mannequin outfit", "Knitwear display set", "Denim wall samples",
                "Outerwear hero look", "Accessory table props", "Footwear plinth set",
                "Seasonal colour story rail", "Kids corner display", "Fitting room styling kit"]
EXPENSE_TEXT = {
    "travel": ["Train to {city} for the store visit", "Flight to {city}: regional meeting",
               "Taxi and hotel, {city} site inspection"],
    "meals": ["Team dinner after stock count", "Lunch with the visual merchandising team"],
    "client_entertainment": ["Dinner with landlord representatives in {city}",
                             "Business lunch with a supplier"],
    "training": ["Retail leadership workshop fee", "Visual merchandising course"],
    "equipment": ["Replacement POS scanner", "Store iPad for clienteling", "Label printer"],
    "other": ["Courier for urgent sample returns", "Printing of window posters"],
}


def region_of(directory: OrgDirectory, user: str) -> str:
    """The region of the regional director above ``user`` (east when there is none)."""
    current: str | None = user
    for _ in range(6):
        if current is None:
            break
        if current in REGION_OF_DIRECTOR:
            return REGION_OF_DIRECTOR[current]
        found = directory.get(current)
        current = found.manager if found else None
    return "east"


def _store_opening(rng: random.Random, initiator: str, day: date,
                   directory: OrgDirectory) -> dict[str, Any]:
    city = rng.choice(CITIES[region_of(directory, initiator)])
    mall = rng.choice(MALLS)
    fmt = rng.choices(["flagship", "standard", "outlet", "popup"], [1, 6, 2, 1])[0]
    low, high = {"flagship": (600, 1500), "standard": (150, 420), "outlet": (300, 800),
                 "popup": (40, 120)}[fmt]
    area = round(rng.uniform(low, high))
    rate = rng.lognormvariate(5.25, 0.45)  # CNY per m² per month, median ~190
    data: dict[str, Any] = {
        "store_name": f"{city} {mall}" + (" Flagship" if fmt == "flagship" else ""),
        "city": city,
        "address": f"Unit {rng.randint(1, 4)}{rng.randint(1, 60):02d}, {mall}, {city}",
        "store_format": fmt,
        "area_sqm": area,
        "monthly_rent": round(area * rate, -2),
        "lease_years": rng.choice([3, 5, 5, 5, 8, 10]),
        "fitout_budget": round(area * rng.uniform(2500, 6000), -4),
        "landlord": rng.choice(LANDLORDS),
        "legal_contact": "song.qian" if rng.random() < 0.7 else "jiang.hong",
        "opening_date": (day + timedelta(days=_lead_days(rng))).isoformat(),
    }
    if rng.random() < 0.4:
        data["notes"] = rng.choice(["Anchor tenant confirmed next door.",
                                    "Landlord offers three rent-free months.",
                                    "Replaces the store closing in the old mall.",
                                    "Footfall study attached in the shared drive."])
    return data


def _lead_days(rng: random.Random) -> int:
    """Days from filing to the planned opening. Most sites are filed months ahead; about
    one in four is a lease signed late (a landlord's deadline, a competitor's site), filed
    five to eight weeks before opening, so the 30-days-before deadline is tight."""
    if rng.random() < 0.25:
        return rng.randint(36, 56)
    return rng.randint(60, 180)


def _needed_in(rng: random.Random, urgent: bool) -> int:
    """Days until the store needs the samples: usually weeks (the season's plan); an urgent
    order (a mall event, a broken display) needs them within days."""
    return rng.randint(2, 6) if urgent else rng.randint(7, 30)


def _season(day: date, rng: random.Random) -> str:
    if day.year <= 2026 and day.month <= 6:
        return "SS26" if rng.random() < 0.7 else "AW26"
    if day.year <= 2026 and day.month <= 9:
        return "AW26"
    if day.year <= 2026:
        return "AW26" if rng.random() < 0.5 else "SS27"
    return "SS27"


def _sample_order(rng: random.Random, initiator: str, day: date,
                  directory: OrgDirectory) -> dict[str, Any]:
    season = _season(day, rng)
    items, value = [], 0.0
    for _ in range(rng.choices([1, 2, 3, 4, 6, 8], [3, 4, 4, 3, 2, 1])[0]):
        quantity = rng.randint(1, 6)
        value += quantity * rng.uniform(300, 2800)
        items.append({"sku": f"{season}-{rng.choice(['DRS', 'KNT', 'DNM', 'OUT', 'ACC', 'SHO'])}"
                             f"-{rng.randint(1, 240):03d}",
                      "description": rng.choice(SAMPLE_ITEMS), "quantity": quantity})
    urgent = rng.random() < 0.12
    data: dict[str, Any] = {
        "store_code": STORE_CODES.get(initiator, "SH001"),
        "region": region_of(directory, initiator),
        "season": season,
        "needed_by": (day + timedelta(days=_needed_in(rng, urgent))).isoformat(),
        "items": items,
        "total_value": round(value, -1),
        "urgent": urgent,
    }
    if rng.random() < 0.5:
        data["reason"] = rng.choice(["New window concept for the season launch",
                                     "Mall event next month", "Replace worn display pieces",
                                     "Store refit: new fixtures need styling"])
    return data


def _amount(rng: random.Random) -> float:
    band = rng.random()
    if band < 0.45:
        return round(rng.uniform(60, 995), 2)
    if band < 0.85:
        return round(rng.uniform(1000, 5000), 2)
    if band < 0.97:
        return round(rng.uniform(5000, 20000), 2)
    return round(rng.uniform(20000, 60000), 2)


def _expense_claim(rng: random.Random, initiator: str, day: date,
                   directory: OrgDirectory) -> dict[str, Any]:
    category = rng.choices(list(EXPENSE_TEXT), [5, 4, 2, 1, 1, 1])[0]
    city = rng.choice(CITIES[region_of(directory, initiator)])
    data: dict[str, Any] = {
        "amount": _amount(rng),
        "currency": "CNY" if rng.random() < 0.93 else rng.choice(["USD", "EUR", "HKD"]),
        "category": category,
        "expense_date": (day - timedelta(days=rng.randint(1, 20))).isoformat(),
        "description": rng.choice(EXPENSE_TEXT[category]).format(city=city),
        "receipts": rng.randint(1, 6),
    }
    if rng.random() < 0.5:
        data["project_code"] = f"P-{rng.randint(1000, 1099):04d}"
    return data


FormMaker = Callable[[random.Random, str, date, OrgDirectory], dict[str, Any]]
FORMS: dict[str, FormMaker] = {"store_opening": _store_opening, "sample_order": _sample_order,
                               "expense_claim": _expense_claim}


def revised(key: str, data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The form as the requester resubmits it after a return."""
    new = dict(data)
    if key == "store_opening":
        new["monthly_rent"] = round(float(data["monthly_rent"]) * rng.uniform(0.9, 0.98), -2)
        new["notes"] = "Revised after review: rent renegotiated, lease attached."
    elif key == "sample_order":
        new["reason"] = "Revised: quantities checked with the visual merchandiser."
    elif key == "expense_claim":
        new["receipts"] = int(data["receipts"]) + 1
        new["description"] = (str(data["description"]) + " (missing receipt added)")[:500]
    return new


__all__ = ["FORMS", "FormMaker", "region_of", "revised"]
