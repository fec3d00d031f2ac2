"""The demo's crowd: neighbours with names from the many languages spoken in the city."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Given names and family names that go together, by language.
NAMES = (
    (("Olivia", "James", "Sophie", "Harry", "Grace", "Oliver", "Ruth", "Daniel", "Chloe", "Sam"),
     ("Walker", "Hughes", "Bennett", "Clarke", "Turner", "Price", "Murphy", "Shaw", "Ellis", "Reid")),
    (("Lucía", "Javier", "Carmen", "Diego", "Sofía", "Alejandro", "Valentina", "Mateo", "Elena", "Pablo"),
     ("García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ramírez", "Castro", "Ortega")),
    (("Camille", "Louis", "Manon", "Hugo", "Léa", "Julien", "Chloé", "Mathis", "Inès", "Antoine"),
     ("Dubois", "Lefèvre", "Moreau", "Girard", "Fontaine", "Chevalier", "Rousseau", "Blanc", "Mercier", "Faure")),
    (("Fatima", "Youssef", "Amina", "Omar", "Layla", "Karim", "Nour", "Samir", "Yasmin", "Tariq"),
     ("Haddad", "Benali", "El Amrani", "Khoury", "Mansour", "Saleh", "Aziz", "Nasser", "Bakr", "Darwish")),
    (("Chidi", "Ngozi", "Kofi", "Abena", "Tunde", "Adaeze", "Yaw", "Efua", "Emeka", "Ama"),
     ("Okonkwo", "Adeyemi", "Boateng", "Owusu", "Eze", "Asante", "Nwosu", "Appiah", "Balogun", "Osei")),
    (("Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Meera", "Sanjay", "Divya", "Rahul", "Nisha"),
     ("Sharma", "Iyer", "Patel", "Reddy", "Gupta", "Menon", "Desai", "Kapoor", "Rao", "Singh")),
    (("Wei", "Xiu", "Hiroshi", "Yuki", "Minh", "Linh", "Jun", "Hana", "Bao", "Soo-ah"),
     ("Zhang", "Chen", "Tanaka", "Sato", "Nguyen", "Tran", "Park", "Kim", "Liu", "Wang")),
    (("Katarzyna", "Piotr", "Olena", "Andrii", "Marta", "Tomasz", "Iryna", "Pavlo", "Zofia", "Mykola"),
     ("Kowalska", "Nowak", "Shevchenko", "Bondarenko", "Wiśniewska", "Zieliński", "Kovalenko", "Melnyk", "Lewandowska", "Tkachenko")),
    (("Elif", "Mehmet", "Zeynep", "Emre", "Ayşe", "Burak", "Selin", "Can", "Deniz", "Murat"),
     ("Yılmaz", "Demir", "Kaya", "Çelik", "Şahin", "Aydın", "Öztürk", "Arslan", "Doğan", "Koç")),
    (("Ana", "João", "Beatriz", "Rafael", "Mariana", "Tiago", "Inês", "Gabriel", "Larissa", "Bruno"),
     ("Silva", "Santos", "Oliveira", "Costa", "Pereira", "Almeida", "Carvalho", "Ribeiro", "Gomes", "Rocha")),
)  # fmt: skip

SKILLS = (
    "Community outreach", "Translation", "Design", "Cooking", "Event planning", "Teaching",
    "Fundraising", "Data analysis", "Carpentry", "Gardening", "Photography", "Writing",
    "Accounting", "Cycling", "Electrical work", "Social media",
)  # fmt: skip

BIOS = (
    "Parent of two, on the school run every morning.",
    "Retired nurse; I know most of the street by name.",
    "Student at the college, here for three years so far.",
    "I run the corner shop with my brother.",
    "Volunteer at the food bank on Thursdays.",
    "New here since the spring, still finding my way.",
    "Cyclist, gardener, occasional baker.",
    "Works nights at the hospital, free most afternoons.",
)


@dataclass(frozen=True)
class Neighbour:
    subject: str  # their identity's subject: ``crowd-N``
    name: str
    bio: str
    skills: tuple[str, ...]


def neighbours(count: int, rng: random.Random) -> list[Neighbour]:
    """``count`` people, each name used once, in an order that mixes the languages."""
    names: list[str] = []
    for given, family in NAMES:
        pairs = list(zip(given, rng.sample(family, len(family)), strict=True))
        names += [f"{first} {last}" for first, last in pairs]
    rng.shuffle(names)
    people = []
    for index, name in enumerate(names[:count]):
        profiled = index % 3 == 0  # a third wrote a few words about themselves
        people.append(
            Neighbour(
                subject=f"crowd-{index + 1}",
                name=name,
                bio=rng.choice(BIOS) if profiled else "",
                skills=tuple(rng.sample(SKILLS, rng.randint(1, 3))) if profiled else (),
            )
        )
    return people
