"""Who buys from the demo company: names, places, and how to draw a believable customer profile.

Pure data and a generator driven by a seeded `random.Random`, so the same seed draws the same people.
Email addresses use reserved `.example` domains (RFC 2606) so a demo never writes to a real inbox.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")

EN = "en"
FIL = "fil"
ZH = "zh-hans"
LANGUAGES = (EN, FIL, ZH)

MALE = "m"
FEMALE = "f"


@dataclass(frozen=True)
class Place:
    country: str
    region: str
    city: str
    timezone: str


def _ph(region: str, city: str) -> Place:
    return Place("PH", region, city, "Asia/Manila")


PH_PLACES: tuple[tuple[Place, int], ...] = (
    (_ph("Metro Manila", "Quezon City"), 16),
    (_ph("Metro Manila", "Manila"), 12),
    (_ph("Metro Manila", "Makati"), 9),
    (_ph("Metro Manila", "Pasig"), 7),
    (_ph("Metro Manila", "Taguig"), 7),
    (_ph("Metro Manila", "Mandaluyong"), 4),
    (_ph("Metro Manila", "Parañaque"), 4),
    (_ph("Metro Manila", "Las Piñas"), 3),
    (_ph("Metro Manila", "Marikina"), 3),
    (_ph("Metro Manila", "Caloocan"), 3),
    (_ph("Calabarzon", "Antipolo"), 3),
    (_ph("Calabarzon", "Bacoor"), 2),
    (_ph("Central Luzon", "Angeles"), 2),
    (_ph("Cordillera", "Baguio"), 2),
    (_ph("Central Visayas", "Cebu City"), 7),
    (_ph("Central Visayas", "Mandaue"), 2),
    (_ph("Western Visayas", "Iloilo City"), 3),
    (_ph("Negros Island", "Bacolod"), 2),
    (_ph("Davao Region", "Davao City"), 5),
    (_ph("Northern Mindanao", "Cagayan de Oro"), 3),
)
CN_PLACES: tuple[tuple[Place, int], ...] = (
    (Place("CN", "Fujian", "Xiamen", "Asia/Shanghai"), 4),
    (Place("CN", "Shanghai", "Shanghai", "Asia/Shanghai"), 3),
    (Place("CN", "Guangdong", "Guangzhou", "Asia/Shanghai"), 3),
    (Place("CN", "Guangdong", "Shenzhen", "Asia/Shanghai"), 2),
    (Place("CN", "Fujian", "Quanzhou", "Asia/Shanghai"), 2),
)
TW_PLACES: tuple[tuple[Place, int], ...] = (
    (Place("TW", "Taipei", "Taipei", "Asia/Taipei"), 4),
    (Place("TW", "Kaohsiung", "Kaohsiung", "Asia/Taipei"), 2),
    (Place("TW", "Taichung", "Taichung", "Asia/Taipei"), 1),
)
SG_PLACES: tuple[tuple[Place, int], ...] = ((Place("SG", "", "Singapore", "Asia/Singapore"), 1),)

FILIPINO_FEMALE = (
    "Maria", "Ana", "Kristine", "Jocelyn", "Maricel", "Rowena", "Liza", "Angelica", "Jasmine",
    "Camille", "Patricia", "Rosario", "Teresita", "Lourdes", "Catherine", "Joy", "Mylene", "Erlinda",
    "Princess", "Bea", "Andrea", "Nicole", "Rhea", "Grace", "Corazon", "Divina", "Marites",
    "Charmaine", "Katrina", "Precious",
)  # fmt: skip
FILIPINO_MALE = (
    "Jose", "Juan", "Mark", "John Paul", "Rodel", "Ramon", "Eduardo", "Renato", "Roberto", "Jerome",
    "Christian", "Joshua", "Carlo", "Miguel", "Paolo", "Rommel", "Noel", "Arnel", "Dennis", "Ariel",
    "Marlon", "Francis", "Emmanuel", "Gabriel", "Bienvenido", "Ernesto", "Danilo", "Reynaldo",
    "Vicente", "Jun",
)  # fmt: skip
FILIPINO_SURNAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas",
    "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro",
    "Salazar", "Mercado", "Dela Cruz", "De Leon", "Gonzales", "Manalo", "Pascual", "Soriano",
    "Dimaculangan", "Macaraeg", "Panganiban", "Evangelista", "Fernandez", "Lopez", "Aguilar",
    "Santiago", "Valdez", "Domingo", "Sarmiento", "Concepcion", "Buenaventura", "Marquez",
    "Gutierrez", "Padilla", "Tolentino", "Dizon", "Samonte",
)  # fmt: skip
CHINOY_FEMALE = (
    "Michelle", "Stephanie", "Cheryl", "Karen", "Jennifer", "Elaine", "Melissa", "Christine",
    "Vanessa", "Tiffany",
)  # fmt: skip
CHINOY_MALE = (
    "Jonathan", "Kenneth", "Vincent", "Raymond", "Jason", "Wilson", "Henry", "Alvin", "Edison",
    "Benjamin",
)  # fmt: skip
CHINOY_SURNAMES = (
    "Tan", "Go", "Lim", "Sy", "Co", "Chua", "Ang", "Uy", "Ong", "Dy", "Yap", "Chan", "Tiu",
)  # fmt: skip
MAINLAND_FEMALE = ("Xiuying", "Jing", "Lina", "Mei", "Fang", "Yan", "Hui", "Ting", "Xiaoyu", "Na")
MAINLAND_MALE = ("Wei", "Qiang", "Lei", "Jun", "Yang", "Hao", "Jian", "Ming", "Tao", "Bo")
MAINLAND_SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Lin",
    "He", "Guo", "Ma",
)  # fmt: skip
TAIWAN_FEMALE = ("Shu-Fen", "Yu-Ting", "Chia-Hui", "Mei-Ling", "Hsiao-Wen", "Pei-Shan")
TAIWAN_MALE = ("Chih-Wei", "Chia-Hao", "Yu-Cheng", "Chien-Hung", "Tsung-Han", "Po-Yu")
TAIWAN_SURNAMES = ("Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu", "Tsai", "Yang", "Hsu")
SINGAPORE_FEMALE = ("Hui Min", "Rachel", "Jia Hui", "Shu Ling", "Michelle", "Grace")
SINGAPORE_MALE = ("Wei Jie", "Darren", "Jun Jie", "Marcus", "Kelvin", "Zhi Hao")
SINGAPORE_SURNAMES = ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Koh", "Teo")
SINGAPORE_OTHERS: tuple[tuple[str, str, str], ...] = (
    ("Nur Aisyah", "Rahman", FEMALE),
    ("Muhammad Hafiz", "Ismail", MALE),
    ("Priya", "Nair", FEMALE),
    ("Rajesh", "Kumar", MALE),
    ("Siti", "Hassan", FEMALE),
    ("Arjun", "Menon", MALE),
)
EXPAT_FEMALE = ("Sarah", "Emily", "Jessica", "Laura", "Hannah", "Olivia")
EXPAT_MALE = ("David", "James", "Michael", "Thomas", "Daniel", "Peter")
EXPAT_SURNAMES = ("Miller", "Thompson", "Clarke", "Walker", "Murphy", "Anderson", "Schmidt", "Jensen")

#: Romanised surname -> the character a Chinese greeting uses ("陈先生"); Hokkien spellings included.
SURNAME_HANZI = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨", "Huang": "黄",
    "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Lin": "林", "He": "何",
    "Guo": "郭", "Ma": "马", "Chang": "张", "Lee": "李", "Tsai": "蔡", "Hsu": "许", "Tan": "陈",
    "Go": "吴", "Lim": "林", "Sy": "施", "Co": "许", "Chua": "蔡", "Ang": "洪", "Uy": "黄", "Ong": "王",
    "Dy": "李", "Yap": "叶", "Chan": "陈", "Tiu": "张", "Ng": "黄", "Wong": "黄", "Goh": "吴",
    "Koh": "许", "Teo": "张",
}  # fmt: skip

PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")
PH_MOBILE_PREFIXES = (
    "917",
    "918",
    "919",
    "920",
    "921",
    "927",
    "928",
    "939",
    "945",
    "955",
    "966",
    "977",
    "995",
)

AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("18_24", 8),
    ("25_34", 28),
    ("35_44", 27),
    ("45_54", 18),
    ("55_64", 11),
    ("65_plus", 5),
    ("", 3),
)
EDUCATION: tuple[tuple[str, int], ...] = (
    ("bachelor", 48),
    ("secondary", 18),
    ("vocational", 12),
    ("postgraduate", 10),
    ("primary", 2),
    ("", 10),
)
#: tier -> (weight, lowest and highest lifetime value in pesos)
TIERS: dict[str, tuple[int, int, int]] = {
    "standard": (70, 1_500, 60_000),
    "silver": (18, 40_000, 150_000),
    "gold": (9, 120_000, 400_000),
    "platinum": (3, 350_000, 1_500_000),
}


@dataclass(frozen=True)
class Origin:
    """A kind of customer: where they live, how they are named, which languages they write in."""

    key: str
    places: tuple[tuple[Place, int], ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: tuple[tuple[str, int], ...]
    weight: int


_ORIGINS = (
    Origin(
        "filipino", PH_PLACES, FILIPINO_FEMALE, FILIPINO_MALE, FILIPINO_SURNAMES, ((FIL, 45), (EN, 55)), 66
    ),
    Origin(
        "chinoy", PH_PLACES, CHINOY_FEMALE, CHINOY_MALE, CHINOY_SURNAMES, ((EN, 55), (ZH, 35), (FIL, 10)), 12
    ),
    Origin("mainland", CN_PLACES, MAINLAND_FEMALE, MAINLAND_MALE, MAINLAND_SURNAMES, ((ZH, 1),), 7),
    Origin("taiwan", TW_PLACES, TAIWAN_FEMALE, TAIWAN_MALE, TAIWAN_SURNAMES, ((ZH, 1),), 4),
    Origin(
        "singapore", SG_PLACES, SINGAPORE_FEMALE, SINGAPORE_MALE, SINGAPORE_SURNAMES, ((EN, 75), (ZH, 25)), 6
    ),
    Origin("expat", PH_PLACES, EXPAT_FEMALE, EXPAT_MALE, EXPAT_SURNAMES, ((EN, 1),), 5),
)
ORIGINS: dict[str, Origin] = {origin.key: origin for origin in _ORIGINS}

#: The first customers drawn, so that even a tiny demo has someone writing in each language.
FIRST_ORIGINS: tuple[tuple[str, str], ...] = (("filipino", FIL), ("mainland", ZH), ("expat", EN))


@dataclass(frozen=True)
class Person:
    """A customer profile, ready for `customer_create` (organization chosen by the caller)."""

    origin: str
    gender: str
    salutation: str
    first_name: str
    last_name: str
    email: str
    phone: str
    place: Place
    language: str
    age_band: str
    education: str
    tier: str
    lifetime_value: Decimal


def weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    """One of the options, chosen in proportion to its weight."""
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


def ascii_slug(text: str, separator: str = "") -> str:
    """'Dela Cruz' -> 'delacruz'; 'Parañaque' -> 'paranaque'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return separator.join("".join(ch for ch in word if ch.isalnum()) for word in folded.split())


def _salutation(rng: random.Random, gender: str) -> str:
    if gender == MALE:
        return weighted(rng, (("Mr", 96), ("Dr", 4)))
    return weighted(rng, (("Ms", 60), ("Mrs", 35), ("Dr", 5)))


def _name(rng: random.Random, origin: Origin) -> tuple[str, str, str]:
    if origin.key == "singapore" and rng.random() < 0.25:
        return rng.choice(SINGAPORE_OTHERS)
    gender = rng.choice((MALE, FEMALE))
    first = rng.choice(origin.male if gender == MALE else origin.female)
    return first, rng.choice(origin.surnames), gender


def email_address(rng: random.Random, first: str, last: str, domain: str, taken: set[str]) -> str:
    """A plausible, unused address such as 'maria.santos87@example.com'."""
    first_slug, last_slug = ascii_slug(first, "."), ascii_slug(last)
    shapes = (
        f"{first_slug}.{last_slug}",
        f"{first_slug.replace('.', '')}{last_slug}",
        f"{first_slug[0]}{last_slug}",
        f"{first_slug.replace('.', '')}_{last_slug}",
    )
    local = rng.choice(shapes)
    if rng.random() < 0.45:
        local += str(rng.randint(1, 99))
    address = f"{local}@{domain}"
    while address in taken:
        address = f"{local}{rng.randint(100, 9999)}@{domain}"
    taken.add(address)
    return address


def phone_number(rng: random.Random, country: str, taken: set[str]) -> str:
    """A number in international form, written as people write it: '+63 917 123 4567'."""
    while True:
        if country == "CN":
            prefix = f"1{rng.choice('35789')}{rng.randint(0, 9)}"
            number = f"+86 {prefix} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        elif country == "TW":
            number = f"+886 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        elif country == "SG":
            number = f"+65 {rng.choice('89')}{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        elif rng.random() < 0.1:
            number = f"+63 2 8{rng.randint(100, 999)} {rng.randint(1000, 9999)}"  # a Metro Manila landline
        else:
            prefix = rng.choice(PH_MOBILE_PREFIXES)
            number = f"+63 {prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        key = number.replace(" ", "")
        if key not in taken:
            taken.add(key)
            return number


def draw_person(
    rng: random.Random,
    index: int,
    emails: set[str],
    phones: set[str],
    email_domain: str | None = None,
) -> Person:
    """The `index`-th customer; the first few are pinned to cover every language."""
    if index < len(FIRST_ORIGINS):
        origin_key, language = FIRST_ORIGINS[index]
        origin = ORIGINS[origin_key]
    else:
        origin = weighted(rng, [(o, o.weight) for o in ORIGINS.values()])
        language = weighted(rng, origin.languages)
    first, last, gender = _name(rng, origin)
    place = weighted(rng, origin.places)
    tier = weighted(rng, [(name, spec[0]) for name, spec in TIERS.items()])
    low, high = TIERS[tier][1:]
    # Lifetime values cluster towards the low end of each tier, as sales do.
    value = low + (high - low) * rng.random() ** 2
    return Person(
        origin=origin.key,
        gender=gender,
        salutation=_salutation(rng, gender),
        first_name=first,
        last_name=last,
        email=email_address(rng, first, last, email_domain or rng.choice(PERSONAL_DOMAINS), emails),
        phone=phone_number(rng, place.country, phones),
        place=place,
        language=language,
        age_band=weighted(rng, AGE_BANDS),
        education=weighted(rng, EDUCATION),
        tier=tier,
        lifetime_value=Decimal(round(value, -1)).quantize(Decimal("0.01")),
    )
