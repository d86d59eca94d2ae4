"""Regions of Belgian postal codes, for statistics.

Ranges (first digits of the four-digit code, bpost's sorting sectors; summary in "Code postal en Belgique",
Wikipedia fr, table "Codes postaux par secteur de tri"): 1000-1299 Brussels-Capital Region; 1300-1499 Walloon
Brabant; 1500-3999 Flemish Brabant, Antwerp, Limburg; 4000-7999 Liège, Namur, Luxembourg, Hainaut (Walloon Region);
8000-9999 West and East Flanders.

German-speaking Community: its nine municipalities (Ministerium der Deutschsprachigen Gemeinschaft,
https://www.pdg.be/desktopdefault.aspx/tabid-3995/ — Eupen, Kelmis, Lontzen, Raeren in the north; Amel, Büllingen,
Bütgenbach, Burg-Reuland, St. Vith in the south) and the postal codes of their sections below, transcribed from
bpost's list of postal codes (to check against bpost's current file when it changes). These municipalities belong
to the Walloon Region; the statistics report them as a region of their own, ``german_speaking``, and the rest of
the Walloon Region as ``wallonia``.
"""

GERMAN_SPEAKING_POSTAL_CODES: tuple[str, ...] = (
    "4700", "4701",  # Eupen, Kettenis
    "4710", "4711",  # Lontzen (Herbestal), Walhorn
    "4720", "4721", "4728",  # Kelmis, Neu-Moresnet, Hergenrath
    "4730", "4731",  # Raeren (Hauset), Eynatten
    "4750",  # Bütgenbach (Elsenborn)
    "4760", "4761",  # Büllingen (Manderfeld), Rocherath
    "4770", "4771",  # Amel (Meyerode), Heppenbach
    "4780", "4782", "4783", "4784",  # St. Vith (Recht), Schönberg, Lommersweiler, Crombach
    "4790", "4791",  # Burg-Reuland (Reuland), Thommen
)
