#!/usr/bin/env python3
"""Regenerates the expected coordinates in engine/model/tests/crs_known_points.rs with PROJ.

Independent reference for floodgrid's own Transverse Mercator code: PROJ (via pyproj), transforming
from the geographic CRS of the same datum (no datum shift) to each EPSG code, with PROJ's exact
Poder/Engsager tmerc forced so the reference does not depend on PROJ's `algo=auto` choice; the
script also checks that the plain EPSG transformation agrees within 0.1 mm.

    python3 -m venv /tmp/p && /tmp/p/bin/pip install pyproj==3.7.2   # bundles PROJ 9.5.1
    /tmp/p/bin/python engine/model/tests/data/crs_reference.py
"""
import warnings

import pyproj
from pyproj import CRS, Transformer

# (EPSG, geographic EPSG of the same datum, half zone width in degrees, lat list)
ZONES = [
    (4491, 4490, 3.0), (4498, 4490, 3.0),      # CGCS2000 6° zone prefix: zones 13 and 20
    (4502, 4490, 3.0), (4508, 4490, 3.0),      # CGCS2000 6°: CM 75E, 111E
    (4513, 4490, 1.5), (4526, 4490, 1.5),      # CGCS2000 3° zone prefix: zones 25, 38
    (4534, 4490, 1.5), (4547, 4490, 1.5),      # CGCS2000 3°: CM 75E, 114E
    (2327, 4610, 3.0), (2334, 4610, 3.0),      # Xian 1980 6° zone prefix: zones 13, 20
    (2338, 4610, 3.0), (2344, 4610, 3.0),      # Xian 1980 6°: CM 75E, 111E
    (2349, 4610, 1.5), (2362, 4610, 1.5),      # Xian 1980 3° zone prefix: zones 25, 38
    (2370, 4610, 1.5), (2383, 4610, 1.5),      # Xian 1980 3°: CM 75E, 114E
    (21413, 4214, 3.0), (21420, 4214, 3.0),    # Beijing 1954 6° zone prefix: zones 13, 20
    (21453, 4214, 3.0), (21459, 4214, 3.0),    # Beijing 1954 6°: CM 75E, 111E
    (21479, 4214, 3.0),                        # Beijing 1954 6° deprecated 19N: CM 111E
    (2401, 4214, 1.5), (2414, 4214, 1.5),      # Beijing 1954 3° zone prefix: zones 25, 38
    (2422, 4214, 1.5), (2435, 4214, 1.5),      # Beijing 1954 3°: CM 75E, 114E
    (32601, 4326, 3.0), (32649, 4326, 3.0),    # UTM 1N, 49N
    (32723, 4326, 3.0), (32756, 4326, 3.0),    # UTM 23S, 56S
]


def points(code, half):
    lon0 = CRS.from_epsg(code).to_dict().get("lon_0")
    if lon0 is None:  # UTM
        zone = code % 100
        lon0 = -183 + 6 * zone
    south = code > 32700
    lats = [-0.5, -23.5, -45.25] if south else [18.3, 34.91, 53.4]
    if code in (32601,):
        lats = [0.5, 60.2, 83.9]
    else:  # vary the latitudes from zone to zone
        shift = (code % 7) * 0.37 * (-1 if south else 1)
        lats = [v + shift for v in lats]
    # central meridian, both zone edges (just inside) and a mid-zone point
    return [
        (lon0, lats[0]),
        (lon0 + half - 0.001, lats[1]),
        (lon0 - half + 0.001, lats[2]),
        (lon0 + half / 2.0 + 0.123456, lats[1] - 3.3),
    ]


warnings.simplefilter("ignore")  # to_proj4 loses nothing tmerc needs here
print(f"// PROJ {pyproj.proj_version_str} (pyproj {pyproj.__version__})")
for code, geog, half in ZONES:
    crs = CRS.from_epsg(code)
    d = crs.to_dict()
    exact = CRS.from_proj4(
        "+proj=tmerc +algo=poder_engsager +lat_0=0 +lon_0={} +k={} +x_0={} +y_0={} +a={} +rf={} +units=m +no_defs".format(
            d.get("lon_0", -183 + 6 * (code % 100)), d.get("k", 0.9996), d.get("x_0", 500000),
            d.get("y_0", 10000000 if code > 32700 else 0), crs.ellipsoid.semi_major_metre,
            crs.ellipsoid.inverse_flattening))
    t_epsg = Transformer.from_crs(CRS.from_epsg(geog), crs, always_xy=True)
    t_exact = Transformer.from_crs(CRS.from_epsg(geog), exact, always_xy=True)
    print(f"    // EPSG:{code} {crs.name}")
    for lon, lat in points(code, half):
        x, y = t_exact.transform(lon, lat)
        xe, ye = t_epsg.transform(lon, lat)
        assert abs(x - xe) < 1e-4 and abs(y - ye) < 1e-4, (code, lon, lat, x - xe, y - ye)
        print(f"    ({code}, {lon:.6f}, {lat:.6f}, {x:.4f}, {y:.4f}),")
