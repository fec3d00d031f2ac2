"""What the demo's crowd writes: ideas for each challenge, comments and replies.

Each challenge's ideas come in the order they were posted. An idea names the
ones it builds on by key: another idea of the crowd listed before it, or
``s0``, ``s1`` … for the personas' own ideas of that challenge (``ideas.demo.script``),
in the order those were posted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seed:
    key: str
    title: str
    summary: str
    body: str = ""
    builds_on: tuple[str, ...] = ()
    language: str = "en"
    # Who likes it: "plate" or "routine" (the two camps of the canteen round), "both"
    # for an idea either camp supports, "" for nobody in particular.
    camp: str = ""
    appeal: float = 0.0  # how well it does in votes and comparisons (0: average)


def seed(
    key: str,
    title: str,
    summary: str,
    body: str = "",
    *,
    on: tuple[str, ...] = (),
    lang: str = "en",
    camp: str = "",
    appeal: float = 0.0,
) -> Seed:
    return Seed(key, title, summary, body, on, lang, camp, appeal)


# Less food waste in school canteens (open for ideas, and voting) -------------------------
#
# Two camps vote here: "plate" changes what is served, "routine" changes how lunch runs.
# The pupils' food council is the idea both support: each camp likes it as much as its own
# favourites, though it has fewer votes than they have, and bridging ranks it first. Three pairs say the same thing in other words (NEAR_DUPLICATES).

CANTEEN = (
    seed(
        "salad-bar",
        "A self-service salad bar",
        "Children help themselves to salad, vegetables and fruit, so they take only what they like.",
        "A cold counter with tongs at child height. Staff keep an eye on hygiene and top it up.",
        camp="plate",
        appeal=0.9,
    ),
    seed(
        "share-table",
        "A share table for untouched food",
        "Unopened yoghurts and whole fruit go on a table by the door, where anyone still hungry can take them.",
        "Many schools in the US run one. We would need a rule for what may go on it and a fridge for dairy.",
        camp="routine",
        appeal=0.8,
    ),
    seed(
        "taste-test",
        "Taste-test Fridays",
        "Children try a spoonful of next month's new dish; dishes that flop never reach the menu.",
        camp="plate",
        appeal=0.7,
    ),
    seed(
        "longer-lunch",
        "Twenty-five minutes at the table, not fifteen",
        "The youngest are still eating when the bell goes. Give every sitting ten more minutes.",
        "Timing the three sittings at Northside: the first lasts 14 minutes on average.",
        camp="routine",
        appeal=1.0,
    ),
    seed(
        "waste-by-dish",
        "Weigh the waste by dish, not by class",
        on=("s1",),
        summary="Scrape each dish into its own bin for a month: we learn which recipes children leave.",
        camp="routine",
        appeal=0.3,
    ),
    seed(
        "help-yourself-veg",
        "Let pupils serve their own vegetables",
        "Bowls of vegetables on every table instead of a ladleful on every plate; children take as much as they want.",
        camp="plate",
        appeal=0.5,
    ),
    seed(
        "compost",
        "Compost the scraps in the school garden",
        "What is left on the plates goes into compost bins that the eco club looks after; the soil feeds the vegetable beds.",
        appeal=0.1,
    ),
    seed(
        "recetas",
        "Recetas de las abuelas",
        "Un plato al mes con una receta de las familias del barrio, cocinado con ellas en la cocina del colegio.",
        "Los niños comen mejor lo que reconocen. Las familias traen la receta y ayudan el primer día.",
        lang="es",
        camp="plate",
        appeal=0.6,
    ),
    seed(
        "quiet-canteen",
        "A quieter canteen",
        "Sound panels on the ceiling and soft music: children who can hear each other sit and eat instead of rushing.",
        camp="routine",
        appeal=0.2,
    ),
    seed(
        "fruit-cut",
        "Des fruits coupés plutôt qu'entiers",
        "Les petits laissent les pommes entières ; coupées en quartiers, elles disparaissent.",
        "Essai dans deux écoles de Lyon : deux fois moins de fruits jetés. Il faut un coupe-pommes par cuisine.",
        lang="fr",
        camp="plate",
        appeal=0.7,
    ),
    seed(
        "dish-note",
        "A weekly note from the scale to the cook",
        on=("waste-by-dish",),
        summary="Every Friday the cook gets the three dishes most left on plates, and swaps one of them.",
        camp="routine",
        appeal=0.2,
    ),
    seed(
        "pre-order",
        "Order lunch at morning registration",
        "Children pick their meal when the register is called, so the kitchen cooks the right number of each dish.",
        camp="routine",
        appeal=0.4,
    ),
    seed(
        "food-council",
        "A pupils' food council",
        "Two pupils from each year meet the cook once a month to decide on menus and on how lunchtime runs.",
        "Children know why they leave food. A council gives them a say in both what is cooked and how lunch is organised, and the cook hears it first hand.",
        camp="both",
        appeal=1.0,
    ),
    seed(
        "swap-shelf",
        "A swap shelf for food nobody touched",
        "Pupils leave unopened packs and untouched fruit on a shelf by the door; others help themselves.",
        camp="routine",
        appeal=0.3,
    ),
    seed(
        "chef-day",
        "A chef's day for the canteen team",
        "A local restaurant chef spends a day with our cooks on making vegetables taste good.",
        camp="plate",
        appeal=0.4,
    ),
    seed(
        "term-trophy",
        "A trophy made by the pupils for the winning class",
        on=("s5",),
        summary="The design-and-technology club makes the trophy for the term-long portion challenge.",
        appeal=-0.2,
    ),
    seed(
        "huerto",
        "Un huerto escolar para conocer las verduras",
        "Los niños que cultivan zanahorias y lechugas se las comen. Un huerto pequeño por colegio.",
        lang="es",
        camp="plate",
        appeal=0.2,
    ),
    seed(
        "teachers-eat",
        "Teachers eat the same lunch, at the children's tables",
        "When the adults eat it too, children try it. One teacher per table, twice a week.",
        camp="routine",
        appeal=0.1,
    ),
    seed(
        "menu-from-scale",
        "Menu voting with the scale's numbers",
        on=("dish-note", "s2"),
        summary="Children vote on next week's dishes knowing how much of each was left last time.",
        camp="routine",
        appeal=0.0,
    ),
    seed(
        "worm-farm",
        "Turn plate scrapings into soil for the garden beds",
        "A wormery fed by the canteen's leftovers, looked after by pupils; the worm compost goes on the school's vegetables.",
        appeal=0.0,
    ),
    seed(
        "picture-menu",
        "Un menu affiché en images",
        "Des photos des plats à l'entrée de la cantine, pour les petits et pour les enfants qui apprennent encore la langue.",
        lang="fr",
        camp="plate",
        appeal=-0.1,
    ),
    seed(
        "older-buddies",
        "Older pupils eat with the youngest",
        "Year 6 helpers sit with reception children, open their packs and encourage them to try things.",
        camp="routine",
        appeal=0.3,
    ),
    seed(
        "bread-on-request",
        "Le pain à la demande",
        "Le pain est ce qu'on jette le plus. Une corbeille au bout de la file plutôt qu'un morceau d'office sur chaque plateau.",
        lang="fr",
        camp="plate",
        appeal=0.1,
    ),
    seed(
        "food-bank",
        "Unserved food to the food bank",
        "Trays that never left the kitchen go to the food bank the same afternoon, chilled.",
        appeal=0.5,
    ),
    seed(
        "taster-spoons",
        "Taster spoons before you choose",
        on=("taste-test",),
        summary="At the counter, a tiny spoon of each dish so children choose what they like and finish it.",
        camp="plate",
        appeal=0.2,
    ),
    seed(
        "council-menus",
        "The food council writes one week's menu a term",
        on=("food-council", "s2"),
        summary="The council picks the dishes for one week each term, and reports back on what was left.",
        camp="both",
        appeal=0.1,
    ),
    seed(
        "waste-chart",
        "A waste chart on every classroom wall",
        on=("s1",),
        summary="Each class colours in its weekly waste; no leaderboard, just their own line going down.",
        appeal=-0.3,
    ),
    seed(
        "smaller-choice",
        "Fewer choices, cooked better",
        "Two mains a day instead of four: the cooks have time to make them well, and less is left unserved.",
        camp="plate",
        appeal=-0.2,
    ),
    seed(
        "parents-lunch",
        "Parents' lunch once a term",
        "Families eat a school lunch with their children and tell the kitchen what they think.",
        camp="plate",
        appeal=-0.1,
    ),
    seed(
        "water-first",
        "Water on the tables, juice off the menu",
        "Sweet drinks fill small stomachs; jugs of water make room for the meal.",
        camp="routine",
        appeal=-0.3,
    ),
    seed(
        "compost-data",
        "Weigh the compost too",
        on=("compost", "waste-by-dish"),
        summary="The eco club records what goes in the compost bins so the school can see waste fall month by month.",
        appeal=-0.4,
    ),
    seed(
        "box-home",
        "Take-home boxes for leftovers",
        "Families can pick up surplus portions at the gate at home time, in boxes they bring back.",
        appeal=0.0,
    ),
    seed(
        "lunch-story",
        "Stories about where food comes from",
        "Short assemblies with farmers, bakers and the school's own cooks, so children care about what is on the plate.",
        camp="plate",
        appeal=-0.5,
    ),
    seed(
        "council-report",
        "The food council reports at assembly",
        on=("council-menus",),
        summary="Each month two council members tell the school what changed in the canteen and why.",
        appeal=-0.3,
    ),
)

# The canteen ideas that say the same thing in other words, by key.
NEAR_DUPLICATES = (
    ("salad-bar", "help-yourself-veg"),
    ("share-table", "swap-shelf"),
    ("compost", "worm-farm"),
)
BRIDGING = "food-council"

# Warmer homes this winter (in review) ---------------------------------------------------

WARMER = (
    seed(
        "curtain-bank",
        "A curtain bank for single-glazed flats",
        "Lined curtains donated, altered by volunteers, and hung before the first frost.",
        appeal=0.5,
    ),
    seed(
        "glazing-film",
        "Secondary glazing film workshops",
        "A roll of film and a hairdryer make a cheap second pane. We show people how, window by window.",
        appeal=0.7,
    ),
    seed(
        "tool-library",
        "Draught-proofing with a tool library",
        on=("s0",),
        summary="The parties borrow ladders, sealant guns and strips from the library instead of buying them.",
        appeal=0.6,
    ),
    seed(
        "bleed-radiators",
        "Bleed your radiators evening",
        "Half the radiators in the old blocks are full of air. Ten minutes with a key and they heat again.",
        appeal=0.3,
    ),
    seed(
        "bulk-insulation",
        "Bulk-buy insulation for the whole block",
        "Residents order together and pay a third of the shop price for strips, foam and reflector panels.",
        appeal=0.4,
    ),
    seed(
        "camera-walks",
        "Thermal camera walks with the caretaker",
        on=("s1",),
        summary="The caretaker walks each block with a borrowed camera and notes where heat escapes.",
        appeal=0.3,
    ),
    seed(
        "young-fitters",
        "Young people run the draught-proofing parties",
        on=("tool-library",),
        summary="Paid Saturday work for sixth-formers, trained by the housing association's fitters.",
        appeal=0.5,
    ),
    seed(
        "heat-map",
        "A heat-leak map of the estate",
        on=("camera-walks",),
        summary="The caretaker's notes on a map, so repairs go to the worst blocks first.",
        appeal=0.2,
    ),
    seed(
        "controls-clinic",
        "A heating controls clinic",
        "Many tenants never learned to use the timer and thermostat. A drop-in session at the community centre.",
        appeal=0.1,
    ),
    seed(
        "burletes",
        "Talleres de burletes en español",
        "Los mismos talleres, en español, para los vecinos que todavía no se manejan en inglés.",
        lang="es",
        appeal=0.2,
    ),
    seed(
        "stair-doors",
        "Fix the stairwell doors that never close",
        "The heat of six floors escapes through broken closers. A list for the association, block by block.",
        appeal=0.8,
    ),
    seed(
        "warm-packs",
        "Warm packs for people most at risk",
        "Blankets, a hot-water bottle and thermal socks, dropped off by neighbours who know who lives alone.",
        appeal=0.4,
    ),
    seed(
        "rideaux",
        "Des rideaux thermiques cousus ensemble",
        "Un atelier couture le mercredi : on double les rideaux avec une couverture de survie.",
        lang="fr",
        appeal=0.1,
    ),
    seed(
        "certified-fitters",
        "A college certificate for the young fitters",
        on=("young-fitters",),
        summary="The further education college counts the Saturdays towards a construction certificate.",
        appeal=0.3,
    ),
    seed(
        "fix-list",
        "Repairs in the order of the heat map",
        on=("heat-map", "bulk-insulation"),
        summary="The association fixes the leakiest blocks first, with the bulk-bought materials.",
        appeal=0.4,
    ),
    seed(
        "homework-warm",
        "Warm rooms with homework help",
        on=("s2",),
        summary="Children do their homework in the warm room while parents save on heating at home.",
        appeal=0.3,
    ),
    seed(
        "mantas",
        "Una bolsa de mantas para las personas mayores",
        "Recogemos mantas en buen estado y las repartimos entre los vecinos mayores que viven solos.",
        lang="es",
        appeal=0.0,
    ),
    seed(
        "community-tariff",
        "A community energy tariff for the estate",
        "Switch together to a cheaper tariff negotiated for all 400 flats.",
        appeal=0.2,
    ),
    seed(
        "guide-aides",
        "Un guide simple des aides financières",
        "Une page, en plusieurs langues : quelles aides existent pour le chauffage, et comment les demander.",
        lang="fr",
        appeal=0.3,
    ),
    seed(
        "weekend-warm",
        "Warm rooms open at weekends too",
        on=("homework-warm",),
        summary="The coldest days are often Sundays. Volunteers open one room on Saturday and Sunday afternoons.",
        appeal=0.1,
    ),
    seed(
        "cold-snap-calls",
        "Call older neighbours during cold snaps",
        "A phone tree of volunteers who ring people living alone whenever the forecast drops below zero.",
        appeal=0.5,
    ),
    seed(
        "solar-garages",
        "Solar panels on the garage roofs",
        "The flat roofs of the garage blocks face south; the power could run the stairwell lights and heaters.",
        appeal=-0.3,
    ),
    seed(
        "loft-first",
        "Top-floor flats first for loft insulation",
        "They lose the most heat and pay the most. Start the insulation there.",
        appeal=-0.1,
    ),
    seed(
        "heater-swap",
        "Swap old electric heaters for efficient ones",
        "An exchange day: bring your old fan heater, leave with an oil-filled radiator that costs less to run.",
        appeal=-0.2,
    ),
    seed(
        "repair-check",
        "A warm-home check at every repair visit",
        "Whoever comes to fix a tap also checks the windows and doors for draughts, and fits strips on the spot.",
        appeal=0.3,
    ),
    seed(
        "meals-delivered",
        "Hot meals for people who cannot reach the warm rooms",
        on=("s2",),
        summary="The warm rooms' soup, delivered by volunteers to neighbours who cannot go out.",
        appeal=0.2,
    ),
    seed(
        "batch-cooking",
        "Cook once, heat once",
        "Batch-cooking evenings in the community kitchen: one oven on for twenty families.",
        appeal=-0.4,
    ),
    seed(
        "stairwell-champions",
        "An energy champion on every stairwell",
        "One trained neighbour per stairwell who knows the tips, the grants and whom to call.",
        appeal=0.0,
    ),
)

# Welcoming newcomers to the neighbourhood (teams forming) --------------------------------

NEWCOMERS = (
    seed(
        "picnic",
        "A welcome picnic every first Sunday",
        "Newcomers and old-timers bring a dish to the park, once a month, all year round.",
        appeal=0.6,
    ),
    seed(
        "pack-languages",
        "A welcome pack in ten languages",
        "Bin days, doctors, schools and where to ask for help, in the languages spoken on our streets.",
        appeal=0.8,
    ),
    seed(
        "language-buddies",
        "Buddies who share a language",
        on=("s0",),
        summary="Pair newcomers with a neighbour who speaks their language when we can.",
        appeal=0.5,
    ),
    seed(
        "library-card",
        "A library card on day one",
        "The welcome letter includes a library card already made out, and an invitation to the Saturday tour.",
        appeal=0.3,
    ),
    seed(
        "language-cafe",
        "A language café at the community centre",
        "Tuesday evenings: tea, cake, and practice in English with volunteers.",
        appeal=0.7,
    ),
    seed(
        "audio-map",
        "An audio version of the welcome map",
        on=("s1",),
        summary="Residents record short stories about each place on the map, reached by a QR code.",
        appeal=0.2,
    ),
    seed(
        "hobby-buddies",
        "Buddies matched by language and hobby",
        on=("language-buddies",),
        summary="A football fan with a football fan, a gardener with a gardener: the walks go on after the first month.",
        appeal=0.3,
    ),
    seed(
        "ask-me-stickers",
        "“Ask me, I'm local” stickers in shop windows",
        on=("s1",),
        summary="Shops on the map put a sticker in the window: newcomers know they can ask there.",
        appeal=0.4,
    ),
    seed(
        "cafe-espanol",
        "Café de bienvenida en español",
        "Un sábado al mes, en la biblioteca, para las familias que llegan de América Latina y de España.",
        lang="es",
        appeal=0.3,
    ),
    seed(
        "gp-guide",
        "Registering with a doctor, step by step",
        "A one-page guide, with the forms and the surgery's opening times, in the welcome pack.",
        appeal=0.5,
    ),
    seed(
        "parrainage",
        "Un parrainage entre familles",
        "Une famille du quartier accompagne une famille nouvelle pendant trois mois : école, marché, voisins.",
        lang="fr",
        appeal=0.2,
    ),
    seed(
        "school-buddies",
        "The buddy scheme with the parent council",
        on=("hobby-buddies",),
        summary="The parent council finds buddies for families whose children start at the local schools.",
        appeal=0.2,
    ),
    seed(
        "kids-tour",
        "A walking tour led by local children",
        "Pupils from the primary school show new families the park, the pool and the best bakery.",
        appeal=0.4,
    ),
    seed(
        "door-hangers",
        "“Hello, neighbour” door hangers",
        "Residents hang a card on a newcomer's door with their name, flat number and an offer of tea.",
        appeal=0.1,
    ),
    seed(
        "mapa-latino",
        "Un mapa de bienvenida con los comercios latinos",
        on=("s1",),
        summary="Una página del mapa dedicada a las tiendas, iglesias y asociaciones de la comunidad latina.",
        lang="es",
        appeal=0.0,
    ),
    seed(
        "kit-loans",
        "Kitchen and tool kits for the first weeks",
        "A box with pans, plates and a drill to borrow while the moving van is still on its way.",
        appeal=0.3,
    ),
    seed(
        "market-desk",
        "A welcome desk at the Saturday market",
        "Volunteers answer questions, hand out the map and sign people up for the picnic.",
        appeal=0.2,
    ),
    seed(
        "cuisine",
        "Des cours de cuisine partagés",
        "Chacun apprend un plat de l'autre : une soirée par mois dans la cuisine du centre social.",
        lang="fr",
        appeal=0.3,
    ),
    seed(
        "first-month-calendar",
        "A calendar of free events for the first month",
        "Every newcomer gets a list of what is on, free, in the four weeks after they arrive.",
        appeal=0.1,
    ),
    seed(
        "job-club",
        "A job club for new arrivals",
        "CV help, interview practice and introductions to local employers, every Thursday morning.",
        appeal=0.5,
    ),
    seed(
        "volunteer-day",
        "Volunteer for a day",
        "Newcomers join a local project for a day: the quickest way to meet people who care.",
        appeal=-0.1,
    ),
    seed(
        "neighbour-letter",
        "A welcome letter from a neighbour, not the council",
        "The same letter, signed by someone on the street and with their phone number.",
        appeal=0.0,
    ),
    seed(
        "class-buddy",
        "A class buddy for new pupils",
        on=("school-buddies",),
        summary="Each new child gets a classmate who shows them round for the first two weeks.",
        appeal=0.3,
    ),
    seed(
        "open-day",
        "Open day of the faith and community groups",
        "Every group in the neighbourhood opens its doors on the same Sunday afternoon.",
        appeal=-0.2,
    ),
    seed(
        "sports-trial",
        "A free month at the sports clubs",
        "Local clubs offer newcomers a month of free sessions.",
        appeal=0.1,
    ),
    seed(
        "app-map",
        "The welcome map as a small web page",
        on=("audio-map",),
        summary="The same places and stories on a phone, in five languages, updated by residents.",
        appeal=-0.1,
    ),
)
# The newcomers' ideas shortlisted besides the personas' own, each with its team.
NEWCOMER_SHORTLIST = ("pack-languages", "language-cafe")

# Cleaner air around the market (closed) --------------------------------------------------

MARKET = (
    seed(
        "early-window",
        "Deliveries before eight",
        "Vans unload before the stalls open and leave before the crowds arrive.",
        appeal=0.5,
    ),
    seed(
        "bike-loans",
        "Cargo bikes lent by the repair café",
        on=("s0",),
        summary="Two cargo bikes that traders book by the Saturday, kept and mended by the repair café.",
        appeal=0.6,
    ),
    seed(
        "sensors",
        "Air sensors on the lamp posts",
        "Four cheap sensors around the square measure what we breathe, before and after any change.",
        appeal=0.4,
    ),
    seed(
        "hook-ups",
        "Electric hook-ups for the refrigerated vans",
        "Vans idle to keep their fridges cold. A socket on each lamp post lets them switch off.",
        appeal=0.7,
    ),
    seed(
        "trailers",
        "Cargo bikes with trailers for the heavy stalls",
        on=("bike-loans",),
        summary="Trailers for the greengrocers and the fishmonger, whose crates are too heavy for a bike alone.",
        appeal=0.3,
    ),
    seed(
        "screen",
        "Show the sensor readings on a screen at the market",
        on=("sensors",),
        summary="A screen by the fountain shows the air quality now, and last month's.",
        appeal=0.2,
    ),
    seed(
        "bicis",
        "Bicicletas de carga para los puestos de fruta",
        on=("s0",),
        summary="Los fruteros reparten con bicicletas de carga desde el aparcamiento; probado en Valencia.",
        lang="es",
        appeal=0.2,
    ),
    seed(
        "hedge",
        "A green screen of hedges along the road",
        "A row of hedges between the road and the stalls catches some of the fumes.",
        appeal=-0.1,
    ),
    seed(
        "car-free-saturday",
        "Un marché sans moteur le premier samedi du mois",
        "La rue est fermée aux voitures et aux camionnettes une fois par mois ; on mesure la différence.",
        lang="fr",
        appeal=0.4,
    ),
    seed(
        "bike-coop",
        "A cargo-bike co-op run by the traders",
        on=("trailers",),
        summary="The traders own the bikes together and share the costs by the stall.",
        appeal=0.4,
    ),
    seed(
        "clean-badge",
        "A “clean air stall” badge",
        on=("screen", "s1"),
        summary="Stalls whose suppliers switch off or come by bike get a badge and a mention on the screen.",
        appeal=0.1,
    ),
    seed(
        "shared-van",
        "One shared refrigerated van",
        "Five traders share one van that does one trip instead of five.",
        appeal=0.3,
    ),
    seed(
        "walking-bus",
        "A walking bus to the market from the estates",
        "Volunteers walk shoppers with trolleys from the estates at nine and back at eleven.",
        appeal=-0.2,
    ),
    seed(
        "idling-fines",
        "Fines for idling, after a friendly warning",
        on=("s1",),
        summary="The wardens warn once; the council fines the second time.",
        appeal=-0.3,
    ),
    seed(
        "generator-move",
        "Move the generators away from the food stalls",
        "The diesel generators sit next to the bakery. Put them at the far end, or replace them.",
        appeal=0.2,
    ),
    seed(
        "hand-carts",
        "Hand carts for shoppers to borrow",
        "Fewer people drive to carry their shopping home if they can borrow a cart.",
        appeal=-0.1,
    ),
    seed(
        "kids-posters",
        "Children draw the no-idling posters",
        on=("s1",),
        summary="The primary school's pupils draw the signs; drivers do not ignore a child's drawing.",
        appeal=0.3,
    ),
    seed(
        "bike-parking",
        "Guarded bike parking on market days",
        "A volunteer-run bike park by the church, so shoppers can come by bike without worrying.",
        appeal=0.0,
    ),
    seed(
        "electric-cooking",
        "Electric cooking for the hot-food stalls",
        "The charcoal grills smoke the whole square. Induction plates on the hook-ups instead.",
        on=("hook-ups",),
        appeal=0.1,
    ),
    seed(
        "quiet-routes",
        "A map of cleaner walking routes to the market",
        "Back streets with less traffic, printed on the market leaflet.",
        appeal=-0.4,
    ),
    seed(
        "solar-canopies",
        "Solar canopies over the stalls",
        "Shade in summer, power for lights and tills all year, no generators.",
        appeal=-0.2,
    ),
    seed(
        "measure-school",
        "Measure before and after with the secondary school",
        "Science students run the sensors and publish the results as their project.",
        on=("sensors",),
        appeal=0.1,
    ),
    seed(
        "loading-bay",
        "A marked loading bay at the edge of town",
        "Painted bays by the car park where vans unload in twenty minutes and leave.",
        appeal=0.3,
    ),
    seed(
        "trader-meeting",
        "A traders' meeting before any rule changes",
        "Ask the stallholders first: they know which deliveries can move and which cannot.",
        appeal=0.2,
    ),
    seed(
        "anti-idling-app",
        "Text the warden when a van idles",
        "A number on the signs that shoppers can text; the warden goes over with a coffee voucher.",
        on=("s1",),
        appeal=-0.3,
    ),
    seed(
        "carga-compartida",
        "Un almacén compartido junto al aparcamiento",
        "Los comerciantes guardan la mercancía del sábado en un almacén común y la llevan a mano o en bici.",
        lang="es",
        appeal=0.0,
    ),
    seed(
        "green-deliveries-map",
        "Les livraisons propres sur une carte",
        "Une carte des fournisseurs qui livrent à vélo ou en électrique, pour que les commerçants les choisissent.",
        lang="fr",
        appeal=-0.2,
    ),
    seed(
        "market-later",
        "Start the market an hour later",
        "Deliveries finish before the first shoppers come, so nobody breathes the worst of it.",
        appeal=-0.1,
    ),
)

# Comments --------------------------------------------------------------------------------
# (language, text); any of them fits any idea of its challenge.

GENERAL_COMMENTS = (
    ("en", "I like this. Who would run it after the first month?"),
    ("en", "How much would it cost for one school or one block, to start with?"),
    ("en", "We tried something close to this two years ago; it worked while one person pushed it."),
    ("en", "Could we try it for four weeks and measure before and after?"),
    ("en", "Simple and cheap. I'd volunteer for the first round."),
    ("en", "What would stop this from fading out after the launch?"),
    ("en", "This would need the council's permission, I think. Has anyone asked?"),
    ("en", "Love it, but it should work for people who don't speak English well too."),
    ("es", "Me parece muy buena idea. ¿Quién se encargaría de organizarlo?"),
    ("es", "En mi barrio anterior hicimos algo parecido y funcionó bastante bien."),
    ("fr", "Bonne idée ! Il faudrait prévoir qui s'en occupe pendant les vacances."),
    ("fr", "Est-ce qu'on a une idée du coût pour commencer petit ?"),
)
THEME_COMMENTS = {
    "food-waste-in-school-canteens": (
        ("en", "Our lunch staff would need training for this, and time to do it."),
        (
            "en",
            "At my daughter's school the youngest only get fifteen minutes. That's the real problem.",
        ),
        ("en", "Would this work with two sittings and one small hall?"),
        ("en", "The cooks should be asked first: they know which dishes come back."),
        ("en", "Children waste less when they helped choose. This fits that."),
        ("es", "Mi hijo siempre deja las verduras; con esto quizá las probaría."),
    ),
    "warmer-homes-this-winter": (
        ("en", "Our block's windows are from 1968. Anything helps."),
        ("en", "The association should pay for the materials; tenants can give the time."),
        ("en", "Please include the top floors, we lose the most heat."),
        ("en", "Would this be allowed in a rented flat? Some landlords refuse changes."),
        ("fr", "Chez nous, l'humidité est aussi un problème. Ça aiderait ?"),
    ),
    "welcoming-newcomers": (
        ("en", "When I arrived I didn't know where the doctor was for three months."),
        ("en", "The mosque and the churches could help spread the word."),
        ("en", "This should be in Arabic, Polish and Romanian as well."),
        ("en", "I would gladly be a buddy on weekends."),
        ("es", "Cuando llegué me habría encantado tener algo así."),
    ),
    "cleaner-air-at-the-market": (
        ("en", "The fish van idles for three hours every Saturday. Start with that one."),
        ("en", "Traders will join if it doesn't cost them a morning's takings."),
        ("en", "My son has asthma; we stopped coming to the market because of the fumes."),
        ("en", "The church car park could be the loading point."),
        ("fr", "Il faudrait mesurer l'air avant, sinon on ne saura jamais si ça marche."),
    ),
}
# Replies by the idea's author, and by anyone else.
AUTHOR_REPLIES = (
    ("en", "Good question. I'd ask for two volunteers per site, so nobody carries it alone."),
    ("en", "We could start with one place and see."),
    ("en", "Thanks, I've added that to the description."),
    ("en", "That's a fair point. Costs would be under £200 for a first try."),
    ("es", "Gracias, lo he añadido a la descripción."),
)
OTHER_REPLIES = (
    ("en", "Agreed, a month's trial and then we decide."),
    ("en", "I asked at the community centre: they are open to it."),
    ("en", "Count me in too."),
    ("en", "Same question here. A small pilot would tell us."),
    ("es", "¡Yo también me apunto!"),
    ("fr", "D'accord, on peut en parler à la prochaine réunion."),
)
