"""Build fagui/data/gbt2260.tsv (the region hierarchy) from a public copy of the GB/T 2260 codes.

Origin: https://github.com/modood/Administrative-divisions-of-China, file dist/pca-code.json (commit
57a0aa9cef47169a2eb74cf057b0245052a34e8c, 2024-11-28), itself the first six digits of the National Bureau of
Statistics' 2023 统计用区划代码 (截止 2023-06-30), which are the GB/T 2260 codes. Licence: WTFPL.

    python scripts/make_regions.py pca-code.json > fagui/data/gbt2260.tsv

Pseudo-levels (市辖区 / 县 under a municipality, 省直辖县级行政区划, 自治区直辖县级行政区划) are dropped and their
counties hang from the province, as GB/T 2260 readers expect."""

from __future__ import annotations

import json
import sys

PSEUDO = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
HEADER = ("# GB/T 2260 administrative divisions (province, city, county): code, name, parent code, level.\n"
          "# From github.com/modood/Administrative-divisions-of-China dist/pca-code.json @57a0aa9c (2024-11-28),\n"
          "# the National Bureau of Statistics' 2023 统计用区划代码 (first six digits = GB/T 2260). "
          "Built by scripts/make_regions.py.\n")


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        tree = json.load(handle)
    out = [HEADER.rstrip("\n")]
    for province in tree:
        pcode = province["code"].ljust(6, "0")
        out.append(f"{pcode}\t{province['name']}\t\t1")
        for city in province.get("children", []):
            ccode = city["code"].ljust(6, "0")
            parent = pcode
            if city["name"] not in PSEUDO:
                out.append(f"{ccode}\t{city['name']}\t{pcode}\t2")
                parent = ccode
            for county in city.get("children", []):
                if county["name"] != "市辖区":
                    out.append(f"{county['code']}\t{county['name']}\t{parent}\t3")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
