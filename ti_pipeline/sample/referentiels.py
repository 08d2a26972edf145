"""Static reference lists the synthetic sample is built from: regions, départements, nomenclatures.

What belongs here: real, public code lists (COG regions and départements, NAF rév. 2 subclasses,
NA88 divisions, A38 groupings, Flores size bands, Sirene headcount bands) and the word lists used to
make synthetic commune names. Only codes and labels: no generated values, no randomness.

Not here: the synthetic geography (``geographie``), file writing (``ecriture``).
"""

from __future__ import annotations

# COG 2025 regions: code -> (TNCC, label). The sample's v_region_2025.csv lists all 18.
REGIONS: dict[str, tuple[int, str]] = {
    "01": (3, "Guadeloupe"),
    "02": (3, "Martinique"),
    "03": (3, "Guyane"),
    "04": (0, "La Réunion"),
    "06": (0, "Mayotte"),
    "11": (1, "Île-de-France"),
    "24": (2, "Centre-Val de Loire"),
    "27": (0, "Bourgogne-Franche-Comté"),
    "28": (0, "Normandie"),
    "32": (4, "Hauts-de-France"),
    "44": (2, "Grand Est"),
    "52": (4, "Pays de la Loire"),
    "53": (3, "Bretagne"),
    "75": (3, "Nouvelle-Aquitaine"),
    "76": (1, "Occitanie"),
    "84": (1, "Auvergne-Rhône-Alpes"),
    "93": (0, "Provence-Alpes-Côte d'Azur"),
    "94": (3, "Corse"),
}

# COG 2025 départements: code -> (region, TNCC, label). All 101.
DEPARTEMENTS: dict[str, tuple[str, int, str]] = {
    "01": ("84", 5, "Ain"), "02": ("32", 5, "Aisne"), "03": ("84", 5, "Allier"),
    "04": ("93", 4, "Alpes-de-Haute-Provence"), "05": ("93", 4, "Hautes-Alpes"),
    "06": ("93", 4, "Alpes-Maritimes"), "07": ("84", 5, "Ardèche"), "08": ("44", 4, "Ardennes"),
    "09": ("76", 5, "Ariège"), "10": ("44", 5, "Aube"), "11": ("76", 5, "Aude"),
    "12": ("76", 5, "Aveyron"), "13": ("93", 4, "Bouches-du-Rhône"), "14": ("28", 2, "Calvados"),
    "15": ("84", 2, "Cantal"), "16": ("75", 3, "Charente"), "17": ("75", 3, "Charente-Maritime"),
    "18": ("24", 2, "Cher"), "19": ("75", 3, "Corrèze"), "21": ("27", 3, "Côte-d'Or"),
    "22": ("53", 4, "Côtes-d'Armor"), "23": ("75", 3, "Creuse"), "24": ("75", 3, "Dordogne"),
    "25": ("27", 2, "Doubs"), "26": ("84", 3, "Drôme"), "27": ("28", 5, "Eure"),
    "28": ("24", 1, "Eure-et-Loir"), "29": ("53", 2, "Finistère"), "2A": ("94", 3, "Corse-du-Sud"),
    "2B": ("94", 3, "Haute-Corse"), "30": ("76", 2, "Gard"), "31": ("76", 3, "Haute-Garonne"),
    "32": ("76", 2, "Gers"), "33": ("75", 3, "Gironde"), "34": ("76", 5, "Hérault"),
    "35": ("53", 1, "Ille-et-Vilaine"), "36": ("24", 5, "Indre"), "37": ("24", 5, "Indre-et-Loire"),
    "38": ("84", 5, "Isère"), "39": ("27", 2, "Jura"), "40": ("75", 4, "Landes"),
    "41": ("24", 2, "Loir-et-Cher"), "42": ("84", 3, "Loire"), "43": ("84", 3, "Haute-Loire"),
    "44": ("52", 3, "Loire-Atlantique"), "45": ("24", 2, "Loiret"), "46": ("76", 2, "Lot"),
    "47": ("75", 2, "Lot-et-Garonne"), "48": ("76", 3, "Lozère"), "49": ("52", 0, "Maine-et-Loire"),
    "50": ("28", 3, "Manche"), "51": ("44", 3, "Marne"), "52": ("44", 3, "Haute-Marne"),
    "53": ("52", 3, "Mayenne"), "54": ("44", 0, "Meurthe-et-Moselle"), "55": ("44", 3, "Meuse"),
    "56": ("53", 2, "Morbihan"), "57": ("44", 3, "Moselle"), "58": ("27", 3, "Nièvre"),
    "59": ("32", 2, "Nord"), "60": ("32", 5, "Oise"), "61": ("28", 5, "Orne"),
    "62": ("32", 2, "Pas-de-Calais"), "63": ("84", 2, "Puy-de-Dôme"),
    "64": ("75", 4, "Pyrénées-Atlantiques"), "65": ("76", 4, "Hautes-Pyrénées"),
    "66": ("76", 4, "Pyrénées-Orientales"), "67": ("44", 2, "Bas-Rhin"), "68": ("44", 2, "Haut-Rhin"),
    "69": ("84", 2, "Rhône"), "70": ("27", 3, "Haute-Saône"), "71": ("27", 0, "Saône-et-Loire"),
    "72": ("52", 3, "Sarthe"), "73": ("84", 3, "Savoie"), "74": ("84", 3, "Haute-Savoie"),
    "75": ("11", 0, "Paris"), "76": ("28", 3, "Seine-Maritime"), "77": ("11", 0, "Seine-et-Marne"),
    "78": ("11", 4, "Yvelines"), "79": ("75", 4, "Deux-Sèvres"), "80": ("32", 3, "Somme"),
    "81": ("76", 2, "Tarn"), "82": ("76", 2, "Tarn-et-Garonne"), "83": ("93", 2, "Var"),
    "84": ("93", 2, "Vaucluse"), "85": ("52", 3, "Vendée"), "86": ("75", 3, "Vienne"),
    "87": ("75", 3, "Haute-Vienne"), "88": ("44", 4, "Vosges"), "89": ("27", 5, "Yonne"),
    "90": ("27", 2, "Territoire de Belfort"), "91": ("11", 5, "Essonne"),
    "92": ("11", 4, "Hauts-de-Seine"), "93": ("11", 3, "Seine-Saint-Denis"),
    "94": ("11", 2, "Val-de-Marne"), "95": ("11", 2, "Val-d'Oise"), "971": ("01", 3, "Guadeloupe"),
    "972": ("02", 3, "Martinique"), "973": ("03", 3, "Guyane"), "974": ("04", 0, "La Réunion"),
    "976": ("06", 0, "Mayotte"),
}

# Articles for TNCC codes (COG convention: 0/1 no article, 2 Le, 3 La, 4 Les, 5 L').
ARTICLES = {0: "", 1: "", 2: "Le ", 3: "La ", 4: "Les ", 5: "L'"}

# A38 activity of each NAF rév. 2 division (two first digits).
A38_OF_DIVISION: dict[str, str] = {}
for _a38, _divisions in {
    "AZ": "01 02 03", "BZ": "05 06 07 08 09", "CA": "10 11 12", "CB": "13 14 15", "CC": "16 17 18",
    "CD": "19", "CE": "20", "CF": "21", "CG": "22 23", "CH": "24 25", "CI": "26", "CJ": "27",
    "CK": "28", "CL": "29 30", "CM": "31 32 33", "DZ": "35", "EZ": "36 37 38 39", "FZ": "41 42 43",
    "GZ": "45 46 47", "HZ": "49 50 51 52 53", "IZ": "55 56", "JA": "58 59 60", "JB": "61",
    "JC": "62 63", "KZ": "64 65 66", "LZ": "68", "MA": "69 70 71", "MB": "72", "MC": "73 74 75",
    "NZ": "77 78 79 80 81 82", "OZ": "84", "PZ": "85", "QA": "86", "QB": "87 88",
    "RZ": "90 91 92 93", "SZ": "94 95 96", "TZ": "97 98", "UZ": "99",
}.items():
    for _d in _divisions.split():
        A38_OF_DIVISION[_d] = _a38

A38_CODES: tuple[str, ...] = tuple(dict.fromkeys(A38_OF_DIVISION.values()))
# "Industrie" = NAF sections B-E (INDICATORS.md).
A38_INDUSTRIE: tuple[str, ...] = ("BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "DZ", "EZ")

# NA88 division labels, as Urssaf writes them after the code.
NA88: dict[str, str] = {
    "01": "Culture et production animale, chasse et services annexes",
    "02": "Sylviculture et exploitation forestière",
    "03": "Pêche et aquaculture",
    "08": "Autres industries extractives",
    "09": "Services de soutien aux industries extractives",
    "10": "Industries alimentaires",
    "11": "Fabrication de boissons",
    "12": "Fabrication de produits à base de tabac",
    "13": "Fabrication de textiles",
    "14": "Industrie de l'habillement",
    "15": "Industrie du cuir et de la chaussure",
    "16": "Travail du bois et fabrication d'articles en bois et en liège, à l'exception des meubles",
    "17": "Industrie du papier et du carton",
    "18": "Imprimerie et reproduction d'enregistrements",
    "19": "Cokéfaction et raffinage",
    "20": "Industrie chimique",
    "21": "Industrie pharmaceutique",
    "22": "Fabrication de produits en caoutchouc et en plastique",
    "23": "Fabrication d'autres produits minéraux non métalliques",
    "24": "Métallurgie",
    "25": "Fabrication de produits métalliques, à l'exception des machines et des équipements",
    "26": "Fabrication de produits informatiques, électroniques et optiques",
    "27": "Fabrication d'équipements électriques",
    "28": "Fabrication de machines et équipements n.c.a.",
    "29": "Industrie automobile",
    "30": "Fabrication d'autres matériels de transport",
    "31": "Fabrication de meubles",
    "32": "Autres industries manufacturières",
    "33": "Réparation et installation de machines et d'équipements",
    "35": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "36": "Captage, traitement et distribution d'eau",
    "37": "Collecte et traitement des eaux usées",
    "38": "Collecte, traitement et élimination des déchets ; récupération",
    "39": "Dépollution et autres services de gestion des déchets",
    "41": "Construction de bâtiments",
    "42": "Génie civil",
    "43": "Travaux de construction spécialisés",
    "45": "Commerce et réparation d'automobiles et de motocycles",
    "46": "Commerce de gros, à l'exception des automobiles et des motocycles",
    "47": "Commerce de détail, à l'exception des automobiles et des motocycles",
    "49": "Transports terrestres et transport par conduites",
    "52": "Entreposage et services auxiliaires des transports",
    "53": "Activités de poste et de courrier",
    "55": "Hébergement",
    "56": "Restauration",
    "58": "Édition",
    "61": "Télécommunications",
    "62": "Programmation, conseil et autres activités informatiques",
    "63": "Services d'information",
    "64": "Activités des services financiers, hors assurance et caisses de retraite",
    "65": "Assurance",
    "66": "Activités auxiliaires de services financiers et d'assurance",
    "68": "Activités immobilières",
    "69": "Activités juridiques et comptables",
    "70": "Activités des sièges sociaux ; conseil de gestion",
    "71": "Activités d'architecture et d'ingénierie ; activités de contrôle et analyses techniques",
    "72": "Recherche-développement scientifique",
    "73": "Publicité et études de marché",
    "74": "Autres activités spécialisées, scientifiques et techniques",
    "75": "Activités vétérinaires",
    "77": "Activités de location et location-bail",
    "78": "Activités liées à l'emploi",
    "80": "Enquêtes et sécurité",
    "81": "Services relatifs aux bâtiments et aménagement paysager",
    "82": "Activités administratives et autres activités de soutien aux entreprises",
    "84": "Administration publique et défense ; sécurité sociale obligatoire",
    "85": "Enseignement",
    "86": "Activités pour la santé humaine",
    "87": "Hébergement médico-social et social",
    "88": "Action sociale sans hébergement",
    "90": "Activités créatives, artistiques et de spectacle",
    "93": "Activités sportives, récréatives et de loisirs",
    "94": "Activités des organisations associatives",
    "95": "Réparation d'ordinateurs et de biens personnels et domestiques",
    "96": "Autres services personnels",
    "97": "Activités des ménages en tant qu'employeurs de personnel domestique",
}

# Real NAF rév. 2 subclasses (Urssaf spelling, no dot), a selection covering every division above.
NAF_CODES: tuple[str, ...] = tuple(
    """
    0111Z 0113Z 0121Z 0141Z 0150Z 0161Z 0210Z 0220Z 0311Z 0811Z 0812Z 0899Z 0910Z
    1011Z 1013A 1013B 1051A 1071A 1071B 1071C 1071D 1072Z 1085Z 1089Z 1091Z 1101Z 1102A 1105Z
    1107A 1200Z 1310Z 1320Z 1392Z 1395Z 1413Z 1414Z 1512Z 1520Z 1610A 1623Z 1624Z 1712Z 1721A
    1721C 1812Z 1813Z 1920Z 2011Z 2013B 2014Z 2016Z 2030Z 2042Z 2059Z 2110Z 2120Z 2211Z 2221Z
    2222Z 2223Z 2229A 2229B 2311Z 2361Z 2363Z 2370Z 2410Z 2442Z 2451Z 2453Z 2511Z 2512Z 2550A
    2550B 2561Z 2562A 2562B 2573A 2573B 2599B 2611Z 2651A 2651B 2711Z 2712Z 2740Z 2751Z 2811Z
    2822Z 2829B 2841Z 2892Z 2896Z 2910Z 2920Z 2932Z 3011Z 3030Z 3092Z 3101Z 3109B 3212Z 3250A
    3311Z 3312Z 3314Z 3320A 3320C 3511Z 3513Z 3514Z 3530Z 3600Z 3700Z 3811Z 3821Z 3832Z 3900Z
    4120A 4120B 4211Z 4221Z 4321A 4322A 4332A 4334Z 4391B 4399C 4511Z 4520A 4631Z 4669B 4690Z
    4711B 4711D 4711F 4719B 4724Z 4730Z 4773Z 4778C 4910Z 4939A 4941A 4941B 5210B 5229A 5310Z
    5320Z 5510Z 5520Z 5610A 5610C 5630Z 5811Z 5813Z 6110Z 6120Z 6201Z 6202A 6203Z 6311Z 6419Z
    6420Z 6511Z 6512Z 6622Z 6810Z 6820A 6820B 6831Z 6910Z 6920Z 7010Z 7022Z 7111Z 7112B 7120B
    7219Z 7311Z 7410Z 7500Z 7711A 7810Z 7820Z 7830Z 8010Z 8121Z 8130Z 8211Z 8411Z 8510Z 8520Z
    8553Z 8559A 8610Z 8621Z 8622C 8623Z 8690D 8710A 8790B 8810A 8891A 8899B 9001Z 9311Z 9312Z
    9329Z 9411Z 9499Z 9511Z 9602A 9602B 9604Z 9700Z
    """.split()
)


def naf_with_dot(code: str) -> str:
    """Urssaf ``2562B`` -> Sirene ``25.62B``."""
    return f"{code[:2]}.{code[2:]}"


def grand_secteur(code: str) -> str:
    """Urssaf broad sector label of a NAF subclass."""
    div = int(code[:2])
    if 5 <= div <= 39:
        return "GS1 Industrie"
    if 41 <= div <= 43:
        return "GS2 Construction"
    if 45 <= div <= 47:
        return "GS3 Commerce"
    if div <= 3:
        return "GS0 Agriculture"
    return "GS4 Autres services"


# Urssaf excludes public administration (84) and private households (97): their codes are kept for
# Sirene only.
NAF_URSSAF_EXCLUDED_DIVISIONS = ("84", "97")

# Flores establishment size bands (NUMBER_EMPL) with their bounds in salaried posts.
FLORES_BANDS_BOUNDS: tuple[tuple[str, int, int], ...] = (
    ("E0", 0, 0),
    ("E1T4", 1, 4),
    ("E5T9", 5, 9),
    ("E10T19", 10, 19),
    ("E20T49", 20, 49),
    ("E50T99", 50, 99),
    ("E100T199", 100, 199),
    ("E200T499", 200, 499),
    ("E_GE500", 500, 2000),
)

# Sirene trancheEffectifsEtablissement codes with their lower bounds.
SIRENE_TRANCHES: tuple[tuple[str, int], ...] = (
    ("00", 0), ("01", 1), ("02", 3), ("03", 6), ("11", 10), ("12", 20), ("21", 50), ("22", 100),
    ("31", 200), ("32", 250), ("41", 500), ("42", 1000), ("51", 2000), ("52", 5000), ("53", 10000),
)

# Word lists for synthetic commune names: a root and an optional complement, accents included so
# that encodings and upper-case NCC names matter.
NAME_ROOTS: tuple[str, ...] = tuple(
    """
    Saint-Martin Sainte-Colombe Villeneuve Montagny Beaulieu Fontaine Chavannes Vernay Roche
    Boissy Champagne Montfort Valençay Pontcarré Villers Marigny Chézy Saint-Étienne Sainte-Hélène
    Bréval Courcelles Échenoz Lavergne Mézières Préaux Rosières Sauvigny Thorigny Vauchelles
    Aubigny Bellefontaine Chaumont Dampierre Éguilly Fresnes Gévigney Héricourt Isômes Jonchery
    Loeuilley Maizières Neuvy Orgères Plessis Quincey Rochefort Savigny Trémont Ussel Varennes
    Wissous Yèbles Brézé Cérilly Étréchy Fléac Gondrecourt Hauteville Issoudun-le-Bas Juvigny
    """.split()
)
NAME_COMPLEMENTS: tuple[str, ...] = (
    "", "", "", "", "-sur-Loue", "-en-Bresse", "-lès-Forges", "-le-Haut", "-la-Rivière",
    "-sur-Saône", "-en-Vallée", "-le-Château", "-aux-Bois", "-sur-Ornain", "-la-Forêt",
    "-d'Azergues", "-sous-Côtes", "-en-Forez", "-le-Vieux", "-sur-Mer", "-lès-Bains", "-en-Argonne",
)

# A38 labels, for the Flores metadata file.
A38_LABELS: dict[str, str] = {
    "AZ": "Agriculture, sylviculture et pêche",
    "BZ": "Industries extractives",
    "CA": "Fabrication de denrées alimentaires, de boissons et de produits à base de tabac",
    "CB": "Fabrication de textiles, industries de l'habillement, industrie du cuir et de la chaussure",
    "CC": "Travail du bois, industries du papier et imprimerie",
    "CD": "Cokéfaction et raffinage",
    "CE": "Industrie chimique",
    "CF": "Industrie pharmaceutique",
    "CG": "Fabrication de produits en caoutchouc et en plastique ainsi que d'autres produits minéraux non métalliques",
    "CH": "Métallurgie et fabrication de produits métalliques à l'exception des machines et des équipements",
    "CI": "Fabrication de produits informatiques, électroniques et optiques",
    "CJ": "Fabrication d'équipements électriques",
    "CK": "Fabrication de machines et équipements n.c.a.",
    "CL": "Fabrication de matériels de transport",
    "CM": "Autres industries manufacturières ; réparation et installation de machines et d'équipements",
    "DZ": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "EZ": "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    "FZ": "Construction",
    "GZ": "Commerce ; réparation d'automobiles et de motocycles",
    "HZ": "Transports et entreposage",
    "IZ": "Hébergement et restauration",
    "JA": "Édition, audiovisuel et diffusion",
    "JB": "Télécommunications",
    "JC": "Activités informatiques et services d'information",
    "KZ": "Activités financières et d'assurance",
    "LZ": "Activités immobilières",
    "MA": "Activités juridiques, comptables, de gestion, d'architecture, d'ingénierie, de contrôle et d'analyses techniques",
    "MB": "Recherche-développement scientifique",
    "MC": "Autres activités spécialisées, scientifiques et techniques",
    "NZ": "Activités de services administratifs et de soutien",
    "OZ": "Administration publique",
    "PZ": "Enseignement",
    "QA": "Activités pour la santé humaine",
    "QB": "Hébergement médico-social et social et action sociale sans hébergement",
    "RZ": "Arts, spectacles et activités récréatives",
    "SZ": "Autres activités de services",
    "TZ": "Activités des ménages en tant qu'employeurs",
    "UZ": "Activités extra-territoriales",
}
