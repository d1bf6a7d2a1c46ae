"""Exposure summary: which days did this phone meet someone who later tested
positive, for how long, and how close?

A synthetic but realistic run of the whole pipeline, deterministic from a
seed:

1. today's upload of a key server: the daily keys (GAEN temporary exposure
   keys) of the users diagnosed lately, each for one of the 14 days before
   today;
2. a phone's encounter log for those 14 days: strangers' IDs heard in
   passing (noise), and a few real encounters with diagnosed users, whose
   IDs bluezone.derive_ids computes from their keys;
3. bluezone.match, then a summary per day with pandas.

The script checks that every planted encounter was found, and nothing else.

    python examples/python/exposure_summary.py
"""

import numpy as np
import pandas as pd

import bluezone

SCHEME = "gaen"
TODAY = pd.Timestamp("2026-11-22", tz="UTC")  # 00:00 UTC
DAYS = 14
PUBLISHED_KEYS = 50_000
STRANGERS = 4_000  # distinct IDs heard in passing
ENCOUNTERS = 6  # real encounters with diagnosed users

rng = np.random.default_rng(2026)
today = int(TODAY.timestamp())
interval = bluezone.INTERVAL_SECONDS

# 1. Today's upload: one key per diagnosed user and day, valid for that day.
key_bytes = rng.integers(0, 256, (PUBLISHED_KEYS, bluezone.key_len(SCHEME)), dtype=np.uint8)
key_day = rng.integers(1, DAYS + 1, PUBLISHED_KEYS)  # days before today
rolling_start = (today - key_day * 86_400) // interval
keys = bluezone.PublishedKeys.from_arrays(
    SCHEME, key_bytes, rolling_start, np.full(PUBLISHED_KEYS, bluezone.INTERVALS_PER_DAY)
)

# 2. The phone's log: one row per sighting, as a phone exports it.
rows = []
for _ in range(STRANGERS):  # passers-by: a few sightings within minutes
    the_id = rng.integers(0, 256, bluezone.id_len(SCHEME), dtype=np.uint8).tobytes().hex()
    when = today - int(rng.integers(1, DAYS + 1)) * 86_400 + int(rng.integers(7 * 3600, 21 * 3600))
    for k in range(int(rng.integers(1, 4))):
        rows.append((the_id, when + 60 * k, int(rng.integers(-100, -75)), None))

planted = []  # (key index, first sighting time, number of sightings)
for key_index in rng.choice(PUBLISHED_KEYS, ENCOUNTERS, replace=False):
    start = int(rolling_start[key_index])
    begin = start * interval + int(rng.integers(8 * 3600, 20 * 3600))  # during the key's day
    minutes = int(rng.integers(5, 45))
    times = begin + 60 * np.arange(minutes)  # one sighting a minute
    # The IDs the diagnosed user's phone broadcast then, from their key.
    ids = bluezone.derive_ids(SCHEME, key_bytes[key_index], start, bluezone.INTERVALS_PER_DAY)
    for t in times:
        the_id = bytes(ids[t // interval - start]).hex()
        rows.append((the_id, int(t), int(rng.integers(-70, -45)), 60))
    planted.append((int(key_index), begin, minutes))

sightings = pd.DataFrame(rows, columns=["id", "time", "rssi", "duration"])
sightings["time"] = pd.to_datetime(sightings["time"], unit="s", utc=True)
sightings["duration"] = sightings["duration"].astype("UInt32")  # seconds, when known
sightings = sightings.sort_values("time", ignore_index=True)
log = bluezone.EncounterLog.from_pandas(sightings)

# 3. Match, and summarise per day.
matches = bluezone.match(keys, log).to_pandas()
exposures = matches.join(sightings, on="encounter_index")
exposures["day"] = exposures["time"].dt.date
summary = exposures.groupby("day").agg(
    diagnosed_contacts=("key_index", "nunique"),
    sightings=("encounter_index", "size"),
    minutes=("duration", lambda seconds: int(seconds.sum()) // 60),
    first_seen=("time", lambda t: t.min().strftime("%H:%M")),
    last_seen=("time", lambda t: t.max().strftime("%H:%M")),
    closest_rssi_dbm=("rssi", "max"),
)

print(f"{len(keys):,} published keys, {len(log):,} sightings in the log, {len(matches)} matching sightings")
print()
print(summary.to_string())

# Every planted encounter was found, every one of its sightings, and nothing else.
found = set(matches["key_index"])
expected = {key_index for key_index, _, _ in planted}
assert found == expected, (found, expected)
per_key = matches.groupby("key_index").size().to_dict()
for key_index, _, minutes in planted:
    assert per_key[key_index] == minutes, (key_index, per_key[key_index], minutes)
assert len(summary) == len({pd.Timestamp(begin, unit="s").date() for _, begin, _ in planted})
print()
print(f"all {ENCOUNTERS} planted encounters found")
