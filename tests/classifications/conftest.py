"""A tiny hand-made data mirror for the classification tests (NAICS titles and concordances, NACE structure,
a NAICS → ISIC concordance), laid out like ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

TITLES_2002 = """naics,title
11,Agriculture
111,Crop Production
1111,Oilseed and Grain Farming
11111,Soybean Farming
111110,Soybean Farming
22,Utilities
2222,Two
22222,Two
222220,Two (2002)
33,Manufacturing
3333,Three
33333,Three
333331,Three a
333332,Three b
44,Trade
444,Four
4444,Four
44444,Four
444440,Four (only child)
"""

TITLES_2007 = """naics,title
111110,Soybean Farming
222221,Two a
222222,Two b
333330,Three
444440,Four
"""

TITLES_2012 = """naics,title
111110,Soybean Farming
222221,Two a
222222,Two b
333330,Three
444441,Four a
444442,Four b
"""

C_2002_2007 = """naics_2002,naics_2007
111110,111110
222220,222221
222220,222222
333331,333330
333332,333330
444440,444440
"""

C_2007_2012 = """naics_2007,naics_2012
111110,111110
222221,222221
222222,222222
333330,333330
444440,444441
444440,444442
"""

NACE = """code,code_nodot,level,level_name,parent,section,title,isic4_ref
A,A,1,section,,A,AGRICULTURE,A
01,01,2,division,A,A,Crop and animal production,01
C,C,1,section,,C,MANUFACTURING,C
10,10,2,division,C,C,Manufacture of food products,10
13,13,2,division,C,C,Manufacture of textiles,13
29,29,2,division,C,C,"Manufacture of motor vehicles, trailers and semi-trailers",29
29.1,291,3,group,29,C,Manufacture of motor vehicles,291
29.10,2910,4,class,29.1,C,Manufacture of motor vehicles,2910
30,30,2,division,C,C,Manufacture of other transport equipment,30
F,F,1,section,,F,CONSTRUCTION,F
41,41,2,division,F,F,Construction of buildings,41
42,42,2,division,F,F,Civil engineering,42
G,G,1,section,,G,WHOLESALE AND RETAIL TRADE,G
46,46,2,division,G,G,Wholesale trade,46
46.4,464,3,group,46,G,Wholesale of household goods,464
46.49,4649,4,class,46.4,G,Wholesale of other household goods,4649
47,47,2,division,G,G,Retail trade,47
47.1,471,3,group,47,G,Retail sale in non-specialised stores,471
47.11,4711,4,class,47.1,G,Retail sale in non-specialised stores with food predominating,4711
"""

ISIC_2012 = """naics,naics_title,isic4,isic4_level,isic4_title,notes,nace_rev2_classes_same_isic
0,Multiple NAICS industries,9810,class,Households,one to many links,98.10
111110,Soybean Farming,0111,class,Growing of cereals,,01.11
111998,All Other Miscellaneous Crop Farming,0111,class,Growing of cereals,field crops,01.11
111998,All Other Miscellaneous Crop Farming,1072,class,Manufacture of sugar,maple syrup,10.81
236220,Commercial Building Construction,4100,class,Construction of buildings,except stadium construction,41.10|41.20
236220,Commercial Building Construction,4290,class,Other civil engineering,stadium construction,42.99
336111,Automobile Manufacturing,2910,class,Manufacture of motor vehicles,,29.10
336360,Motor Vehicle Seating,2930,class,Parts for motor vehicles,motor vehicle seats,29.31|29.32
336360,Motor Vehicle Seating,1392,class,Made-up textiles,seat covers,13.92
336360,Motor Vehicle Seating,3030,class,Aircraft,aircraft seats,30.30
336390,Other Motor Vehicle Parts,2930,class,Parts for motor vehicles,,29.31|29.32
424990,Other Nondurable Goods Wholesalers,4649,class,Wholesale of other household goods,,46.43|46.49
452112,Discount Department Stores,4711,class,Retail sale in non-specialized stores,,47.11
999990,Made-up Industry,2910,class,Manufacture of motor vehicles,part a,29.10
999990,Made-up Industry,3030,class,Aircraft,part b,30.30
"""


@pytest.fixture
def fake_mirror(tmp_path: Path) -> Path:
    """A mirror with the files above (and nothing else)."""
    files = {
        "us/naics/naics2002_titles.csv": TITLES_2002,
        "us/naics/naics2007_titles.csv": TITLES_2007,
        "us/naics/naics2012_titles.csv": TITLES_2012,
        "us/naics/naics_concordance_2002_2007.csv": C_2002_2007,
        "us/naics/naics_concordance_2007_2012.csv": C_2007_2012,
        "classifications/nace_rev2_structure.csv": NACE,
        "classifications/naics2012_to_isic4_census.csv": ISIC_2012,
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path
