#!/usr/bin/env python3
"""Compare `parley <view> <query> --json` with views_oracle.py on generated data sets.

Usage:
  compare.py [--parley PATH] [--work DIR] [--demo-seeds 1,2] [--random-seeds 1-20]
             [--no-minimize] [--max-cases N]

Data sets: (a) `parley demo` with a few seeds and --until values, (b) an edge-case generator
(ties in time, window boundaries, backfill, DST in Europe/Berlin and America/New_York, holidays,
replies before opening, reopen/resolve, merge chains/cycles, unvote, duplicate post ids, brand
activity, policy changes). Each is imported into a scratch data directory; every query runs at
several instants (and with --at-position, --from/--to, --week, --policy) and is compared with the
oracle: the oracle's keys must match, numbers to relative 1e-9, arrays element by element.
Mismatches are grouped by (query, path) and each group gets a minimized reproducing case.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import views_oracle as O  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

QUERIES = [("support", "sla"), ("support", "tickets"), ("support", "backlog"),
           ("community", "summary"), ("community", "members"), ("community", "heroes"),
           ("content", "mix"), ("product", "ideas"), ("product", "matrix"),
           ("product", "loop"), ("product", "proposals")]


# --------------------------------------------------------------------------- comparison

def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def diff(exp, got, path="$"):
    """Yield (path, expected, got) for every disagreement; only the oracle's keys are checked."""
    if num(exp) and num(got):
        if exp == got or (math.isfinite(exp) and abs(exp - got) <= 1e-9 * max(abs(exp), abs(got))):
            return
        yield path, exp, got
    elif isinstance(exp, dict):
        if not isinstance(got, dict):
            yield path, exp, got
            return
        for k, v in exp.items():
            if k not in got:
                yield f"{path}.{k}", v, "<missing>"
            else:
                yield from diff(v, got[k], f"{path}.{k}")
    elif isinstance(exp, list):
        if not isinstance(got, list):
            yield path, exp, got
            return
        if len(exp) != len(got):
            yield f"{path}.length", len(exp), len(got)
        for i, (a, b) in enumerate(zip(exp, got)):
            yield from diff(a, b, f"{path}[{i}]")
    else:
        if exp != got or type(exp) is not type(got):
            yield path, exp, got


def generic_path(p):
    import re
    return re.sub(r"\[\d+\]", "[]", p)


# --------------------------------------------------------------------------- running

class Runner:
    def __init__(self, parley, work):
        self.parley, self.work = parley, work
        self.n = 0

    def import_file(self, path, data_dir):
        shutil.rmtree(data_dir, ignore_errors=True)
        r = subprocess.run([self.parley, "import", path, "--data", data_dir, "--json"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"import of {path} failed: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def query(self, data_dir, view, query, args):
        self.n += 1
        cmd = [self.parley, view, query, "--data", data_dir, "--json"] + args
        r = subprocess.run(cmd, capture_output=True, text=True)
        if query == "check" and r.returncode in (0, 1) and r.stdout.strip():
            out = json.loads(r.stdout)
            out["__exit__"] = r.returncode
            return out
        if r.returncode != 0:
            return {"__error__": r.stderr.strip()}
        return json.loads(r.stdout)


def cli_args(case):
    a = ([case["draft"]] if case.get("draft") else []) + ["--as-of", case["as_of"]]
    for k, flag in (("at_position", "--at-position"), ("from", "--from"), ("to", "--to"),
                    ("week", "--week"), ("policy", "--policy")):
        if case.get(k) is not None:
            a += [flag, str(case[k])]
    return a


def oracle(events, case):
    pol = json.load(open(case["policy"])) if case.get("policy") else None
    return O.run(events, case["view"], case["query"], O.parse_instant(case["as_of"]),
                 case.get("at_position"),
                 O.parse_instant(case["from"]) if case.get("from") else None,
                 O.parse_instant(case["to"]) if case.get("to") else None,
                 case.get("week"), pol, json.load(open(case["draft"])) if case.get("draft") else None)


def check(runner, jsonl, data_dir, case, events=None):
    events = events if events is not None else O.load_events(jsonl)
    exp = oracle(events, case)
    got = runner.query(data_dir, case["view"], case["query"], cli_args(case))
    if case["query"] == "check":
        exp["__exit__"] = 0 if exp["ok"] else 1
    if "__error__" in got:
        return [("$", "<an answer>", got["__error__"])], exp, got
    return list(diff(exp, got)), exp, got


# --------------------------------------------------------------------------- generators

def iso(us):
    return O.fmt_instant(us)


def demo_set(runner, seed, until, days, members, path):
    with open(path, "w") as f:
        subprocess.run([runner.parley, "demo", "--seed", str(seed), "--until", until,
                        "--days", str(days), "--members", str(members)], stdout=f, check=True)


BERLIN, NY = "Europe/Berlin", "America/New_York"

# Scenarios: a base instant, the zones whose transitions fall inside the span, the transition
# instants (UTC) and local dates worth making holidays.
SCENARIOS = {
    "spring": {"base": "2026-03-01T00:00:00Z", "zones": [BERLIN, NY, "UTC"],
               "edges": ["2026-03-08T07:00:00Z", "2026-03-08T06:59:59Z", "2026-03-29T01:00:00Z",
                         "2026-03-29T00:30:00Z", "2026-03-01T23:00:00Z", "2026-03-02T05:00:00Z",
                         "2026-03-09T04:00:00Z", "2026-03-30T22:00:00Z"],
               "holidays": ["2026-03-08", "2026-03-09", "2026-03-29", "2026-03-30", "2026-04-03",
                            "2026-03-02", "2026-03-28", "2026-03-27", "2026-03-16"],
               "weeks": ["2026-W10", "2026-W11", "2026-W13", "2026-W14"]},
    "autumn": {"base": "2026-10-15T00:00:00Z", "zones": [BERLIN, NY, "UTC", "Asia/Gaza"],
               "edges": ["2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-11-01T05:30:00Z",
                         "2026-11-01T06:00:00Z", "2026-10-26T00:00:00Z", "2026-11-02T05:00:00Z",
                         "2026-10-23T23:00:00Z", "2026-10-25T22:00:00Z"],
               "holidays": ["2026-10-25", "2026-11-01", "2026-10-26", "2026-11-02", "2026-10-30"],
               "weeks": ["2026-W43", "2026-W44", "2026-W45"]},
    "southern": {"base": "2026-03-20T00:00:00Z",
                 "zones": ["America/Santiago", "Australia/Lord_Howe", "Pacific/Auckland", NY],
                 "edges": ["2026-04-05T03:00:00Z", "2026-04-04T15:00:00Z", "2026-04-04T14:00:00Z",
                           "2026-04-05T02:59:59Z", "2026-04-04T14:30:00Z", "2026-04-06T04:00:00Z"],
                 "holidays": ["2026-04-04", "2026-04-05", "2026-04-06", "2026-04-10"],
                 "weeks": ["2026-W13", "2026-W14", "2026-W15", "2026-W16"]},
    "moscow2014": {"base": "2014-10-05T00:00:00Z", "zones": ["Europe/Moscow", BERLIN, "Asia/Kolkata"],
                   "edges": ["2014-10-25T22:00:00Z", "2014-10-25T21:00:00Z", "2014-10-26T01:00:00Z",
                             "2014-10-26T23:00:00Z", "2014-10-24T20:00:00Z"],
                   "holidays": ["2014-10-26", "2014-10-27", "2014-10-25"],
                   "weeks": ["2014-W42", "2014-W43", "2014-W44"]},
    "apia2011": {"base": "2011-12-10T00:00:00Z", "zones": ["Pacific/Apia", "Pacific/Auckland"],
                 "edges": ["2011-12-30T10:00:00Z", "2011-12-30T09:59:59Z", "2011-12-29T11:00:00Z",
                           "2011-12-30T19:00:00Z", "2011-12-31T10:00:00Z"],
                 "holidays": ["2011-12-30", "2011-12-31", "2011-12-29", "2012-01-02"],
                 "weeks": ["2011-W51", "2011-W52", "2012-W01"]},
    "casablanca": {"base": "2026-02-05T00:00:00Z", "zones": ["Africa/Casablanca", "Europe/Dublin"],
                   "edges": ["2026-02-15T02:00:00Z", "2026-03-22T02:00:00Z", "2026-02-15T01:00:00Z",
                             "2026-03-22T01:00:00Z", "2026-02-16T00:00:00Z"],
                   "holidays": ["2026-02-15", "2026-03-22", "2026-02-16", "2026-03-23"],
                   "weeks": ["2026-W07", "2026-W08", "2026-W12", "2026-W13"]},
}


def rand_sla_policy(rng, sc):
    tz = rng.choice(sc["zones"] + ["UTC"])
    if rng.random() < 0.12:
        hours = "24x7"
    else:
        templates = [
            [["09:00", "18:00"]],
            [["00:00", "24:00"]],
            [["01:00", "02:30"], ["03:00", "04:00"]],       # overlap in real time on spring day
            [["02:00", "03:30"]],                           # DST gap / repeated hour
            [["01:30", "02:30"], ["02:30", "03:00"]],
            [["08:00", "12:00"], ["13:00", "17:30"]],
            [["22:00", "24:00"]],
            [["00:00", "02:15"], ["23:00", "24:00"]],
            [],
        ]
        hours = {}
        for d in O.DAYS:
            if rng.random() < 0.85:
                hours[d] = rng.choice(templates)
        if rng.random() < 0.05:
            hours = {}
    hol = sorted(rng.sample(sc["holidays"], rng.randint(0, min(4, len(sc["holidays"])))))
    v = {"timezone": tz, "hours": hours, "holidays": hol,
         "first_response_s": rng.choice([3600, 7200, 900, 5400.5, 86400, 1, 28800])}
    for k in list(v):
        if rng.random() < 0.15:
            del v[k]
    return v


def rand_community_policy(rng, sc):
    v = {"window_days": rng.choice([7, 14, 30, 1]), "newcomer_days": rng.choice([3, 7, 14, 0]),
         "activist_min": rng.choice([1, 2, 3, 10]),
         "timezone": rng.choice(sc["zones"] + ["UTC", "Asia/Kolkata"]),
         "hero_weights": {k: rng.choice([0, 1, 2, 5, 0.5]) for k in ("post", "comment", "idea", "other")
                          if rng.random() < 0.6}}
    for k in list(v):
        if rng.random() < 0.2:
            del v[k]
    return v


def rand_content_policy(rng, sc):
    v = {"timezone": rng.choice(sc["zones"] + ["UTC", "Asia/Kolkata"]),
         "targets": {k: rng.choice([0.1, 0.25, 0.5, 1]) for k in O.MIX_KINDS if rng.random() < 0.5},
         "max_brand_posts_per_day": rng.choice([0, 1, 2, 3]),
         "stop_words": ["spam"]}
    for k in list(v):
        if rng.random() < 0.2:
            del v[k]
    return v


def rand_product_policy(rng, sc):
    v = {"impact_high": rng.choice([1, 3, 4, 5]), "cost_low": rng.choice([1, 2, 3, 5]),
         "timezone": rng.choice(sc["zones"] + ["UTC"])}
    for k in list(v):
        if rng.random() < 0.2:
            del v[k]
    return v


RAND_POLICY = {"sla": rand_sla_policy, "community": rand_community_policy,
               "content": rand_content_policy, "product": rand_product_policy}


def edge_set(seed, path):
    """Returns the as-of instants (strings) to query; writes the JSON Lines file."""
    rng = random.Random(seed)
    season = rng.choice(sorted(SCENARIOS))
    sc = SCENARIOS[season]
    base_us = O.parse_instant(sc["base"])
    span_days = rng.choice([25, 40, 40, 90])
    H = 3600 * O.US
    # query instants, then events placed on their window boundaries
    as_ofs = sorted({base_us + rng.randint(15, span_days) * O.DAY_US + rng.choice([0, 0, 9, 13, 23]) * H
                     + rng.choice([0, 0, 30 * 60 * O.US, 1]) for _ in range(3)})
    specials = []
    for T in as_ofs:
        for k in (0, 1, 3, 7, 14, 30):
            specials.append(T - k * O.DAY_US)
        specials.append(T + 1)
    # interesting local instants: DST changes and midnights
    dst = sc["edges"]
    specials += [O.parse_instant(x) for x in dst]
    pool = []

    def t_rand():
        r = rng.random()
        if r < 0.25 and specials:
            return rng.choice(specials)
        if r < 0.4 and pool:
            return rng.choice(pool)  # exact ties
        t = base_us + rng.randint(0, span_days * 86400) * O.US
        if rng.random() < 0.3:
            t -= t % (1800 * O.US)
        if rng.random() < 0.1:
            t += rng.randint(1, 999999)
        pool.append(t)
        return t

    def fmt_time(t):
        """Sometimes with a zone offset, sometimes with nanoseconds (truncated)."""
        r = rng.random()
        if r < 0.15:
            off = rng.choice([2 * 3600, -5 * 3600, 5 * 3600 + 1800, -4 * 3600])
            s, us = divmod(t, O.US)
            dt = datetime.fromtimestamp(s, timezone(timedelta(seconds=off)))
            out = dt.strftime("%Y-%m-%dT%H:%M:%S")
            if us:
                out += f".{us:06d}"
            return out + dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]
        if r < 0.2:
            main, _, fr = iso(t)[:-1].partition(".")
            return f"{main}.{fr.ljust(6, '0')}789Z"
        return iso(t)

    members = ["m-1", "m-2", "m-3", "m-10", "M-4", "m_5", "zeta", "Émile", "m-6", "m-7", "brand"]
    W = [m for m in members]
    posts, tickets, ideas, comments = [], [], [], []
    lines = []
    nid = [0]

    def emit(typ, stream, data, t=None):
        nid[0] += 1
        ev = {"id": f"x-{seed}-{nid[0]}", "stream": stream, "type": typ,
              "time": fmt_time(t if t is not None else t_rand()), "data": data}
        lines.append(ev)
        return ev

    n = rng.randint(120, 320)
    # policies over time
    for name in ("sla", "community", "content", "product"):
        for _ in range(rng.randint(0, 3)):
            emit("policy.set", f"policy:{name}", {"name": name, "value": RAND_POLICY[name](rng, sc)})
    for _ in range(n):
        r = rng.random()
        m = rng.choice(W)
        if r < 0.06:
            emit("member.joined", f"member:{m}", {"member": m, "handle": "@" + m})
        elif r < 0.09:
            emit(rng.choice(["member.role_assigned", "member.role_revoked"]), f"member:{m}",
                 {"member": m, "role": rng.choice(["expert", "moderator"])})
        elif r < 0.2:
            p = rng.choice(posts) if posts and rng.random() < 0.15 else f"p-{len(posts)}"
            posts.append(p)
            author = "brand" if rng.random() < 0.5 else m
            d = {"post": p, "author": author,
                 "kind": rng.choice(["engaging", "educational", "promotional", "ugc"])}
            if rng.random() < 0.7:
                d["format"] = rng.choice(["text", "image", "video", "video", "poll"])
            for k, vals in (("next_step", ["poll", "form", "none", None]),
                            ("ad_label", [True, False, None]), ("captions", [True, False, None])):
                if rng.random() < 0.6:
                    d[k] = rng.choice(vals)
            emit("post.published", f"post:{p}", d)
        elif r < 0.3:
            c = f"c-{len(comments)}"
            comments.append(c)
            emit("comment.posted", "post:x", {"comment": c, "post": rng.choice(posts or ["p-x"]),
                                              "author": m})
        elif r < 0.38:
            tgt = rng.choice((posts or ["p-x"]) + comments[:3])
            emit(rng.choice(["reaction.added", "reaction.added", "reaction.removed"]), "post:x",
                 {"target": tgt, "member": m, "reaction": "like"})
        elif r < 0.43:
            typ = rng.choice(["post.shared", "post.saved", "poll.voted"])
            d = {"post": rng.choice(posts or ["p-x"]), "member": m}
            if typ == "poll.voted":
                d["option"] = rng.choice(["a", "b"])
            emit(typ, "post:x", d)
        elif r < 0.46:
            emit("moderation.flagged", "mod:x", {"target": "c-1", "member": m, "reason": rng.choice(
                ["toxic", "spam", "offtopic", "rate_limit", "stop_word"])})
        elif r < 0.66:
            if not tickets or rng.random() < 0.3:
                tk = f"t-{len(tickets)}"
                tickets.append(tk)
                emit("ticket.opened", f"ticket:{tk}", {"ticket": tk, "member": m})
                continue
            tk = rng.choice(tickets + ["t-never"])
            typ = rng.choice(["ticket.replied", "ticket.replied", "ticket.replied", "ticket.opened",
                              "ticket.escalated", "ticket.resolved", "ticket.resolved",
                              "ticket.reopened"])
            d = {"ticket": tk}
            if typ == "ticket.replied":
                d.update({"by": rng.choice(["staff-1", m]), "staff": rng.random() < 0.7,
                          "public": rng.choice([True, False, None])})
            elif typ == "ticket.opened":
                d["member"] = m
            elif typ == "ticket.escalated":
                d["team"] = rng.choice(["billing", "eng", "Eng", "legal"])
            emit(typ, f"ticket:{tk}", d)
        else:
            if not ideas or rng.random() < 0.25:
                i = f"i-{len(ideas)}"
                ideas.append(i)
                emit("idea.proposed", f"idea:{i}", {"idea": i, "author": m, "title": f"T{i}"})
                continue
            i = rng.choice(ideas + ["i-ghost"])
            typ = rng.choice(["idea.voted", "idea.voted", "idea.voted", "idea.unvoted",
                              "idea.estimated", "idea.status_changed", "idea.status_changed",
                              "idea.merged", "announcement.published", "idea.proposed"])
            if typ in ("idea.voted", "idea.unvoted"):
                d = {"idea": i, "member": m}
            elif typ == "idea.estimated":
                d = {"idea": i, "impact": rng.randint(1, 5), "cost": rng.randint(1, 5)}
            elif typ == "idea.status_changed":
                d = {"idea": i, "status": rng.choice(["open", "under_review", "planned",
                                                      "in_progress", "shipped", "shipped",
                                                      "shipped", "declined"])}
            elif typ == "idea.merged":
                d = {"idea": i, "into": rng.choice(ideas + ["i-ghost", i])}
            elif typ == "announcement.published":
                d = {"announcement": f"a-{nid[0]}", "ideas": rng.sample(ideas, min(len(ideas), rng.randint(1, 3))),
                     "notified": rng.sample(members, rng.randint(0, 6))}
            else:
                d = {"idea": i, "author": m, "title": "dup"}
            emit(typ, f"idea:{i}", d)
    # ---- stories: related events at chosen distances, so that boundaries are hit exactly
    from zoneinfo import ZoneInfo

    def local_edges():
        """Local midnights, Mondays and slot edges (09:00, 18:00) in the scenario's zones."""
        out = []
        for z in sc["zones"]:
            tz = ZoneInfo(z)
            d0 = O.us_to_local(base_us, tz).date()
            for k in range(span_days + 2):
                d = d0 + timedelta(days=k)
                if rng.random() < 0.15 or d.weekday() == 0:
                    for hm in ("00:00", "09:00", "18:00", "01:00", "02:30", "03:00"):
                        out.append(O.local_to_us(d, hm, tz))
        return out

    edges_local = local_edges()

    def t_story():
        r = rng.random()
        if r < 0.35:
            return rng.choice(edges_local) + rng.choice([0, 0, -1, 1, -O.US])
        return t_rand()

    deltas = [0, 1, 60 * O.US, 3600 * O.US, 7199 * O.US, 7200 * O.US, 7201 * O.US, -3600 * O.US,
              -1, 9 * 3600 * O.US, O.DAY_US, 3 * O.DAY_US, 7 * O.DAY_US, 30 * O.DAY_US,
              rng.randint(1, 20 * 86400) * O.US]
    for k in range(rng.randint(15, 45)):
        tk = f"s-{k}"
        t0 = t_story()
        who = rng.choice(W[:-1])
        emit("ticket.opened", f"ticket:{tk}", {"ticket": tk, "member": who}, t0)
        if rng.random() < 0.75:
            emit("ticket.replied", f"ticket:{tk}", {"ticket": tk, "by": "staff-2",
                                                   "staff": rng.random() < 0.8}, t0 + rng.choice(deltas))
        if rng.random() < 0.3:
            emit("ticket.escalated", f"ticket:{tk}", {"ticket": tk, "team": rng.choice(["eng", "billing"])},
                 t0 + rng.choice(deltas))
        t = t0
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            t = t + abs(rng.choice(deltas))
            emit("ticket.resolved", f"ticket:{tk}", {"ticket": tk}, t)
            if rng.random() < 0.4:
                t = t + abs(rng.choice(deltas))
                emit("ticket.reopened", f"ticket:{tk}", {"ticket": tk}, t)
    for m in W[:-1]:
        if rng.random() < 0.6:
            t0 = t_story()
            emit("member.joined", f"member:{m}", {"member": m}, t0)
            for dd in (7, 30):
                if rng.random() < 0.5:
                    emit("reaction.added", "post:x", {"target": rng.choice(posts or ["p-x"]), "member": m},
                         t0 + dd * O.DAY_US + rng.choice([0, -1, 1]))
    for k in range(rng.randint(3, 12)):
        p = f"q-{k}"
        posts.append(p)
        d = {"post": p, "author": "brand", "kind": rng.choice(["engaging", "promotional", "educational"]),
             "format": rng.choice(["video", "text"]), "next_step": rng.choice(["poll", "none"])}
        emit("post.published", f"post:{p}", d, t_story())
        for _ in range(rng.randint(0, 6)):
            typ = rng.choice(["reaction.added", "post.shared", "post.saved"])
            emit(typ, "post:x", {("target" if typ == "reaction.added" else "post"): p,
                                 "member": rng.choice(W)}, t_story())
    for k in range(rng.randint(2, 8)):
        i = f"j-{k}"
        ideas.append(i)
        t0 = t_story()
        emit("idea.proposed", f"idea:{i}", {"idea": i, "author": rng.choice(W), "title": i}, t0)
        voters = rng.sample(W, rng.randint(0, 5))
        for v in voters:
            emit("idea.voted", f"idea:{i}", {"idea": i, "member": v}, t0 + abs(rng.choice(deltas)))
        if rng.random() < 0.7:
            ts = t0 + abs(rng.choice(deltas))
            emit("idea.status_changed", f"idea:{i}", {"idea": i, "status": "shipped"}, ts)
            if rng.random() < 0.8:
                emit("announcement.published", f"idea:{i}",
                     {"announcement": f"an-{k}", "ideas": [i], "notified": voters[:rng.randint(0, len(voters))]},
                     ts + rng.choice(deltas))
    # exact duplicates (re-imports are no-ops), backfill order: the file is partly shuffled
    for _ in range(rng.randint(0, 5)):
        lines.append(dict(rng.choice(lines)))
    if rng.random() < 0.7:
        k = len(lines) // 3
        tail = lines[k:]
        rng.shuffle(tail)
        lines[k:] = tail
    with open(path, "w") as f:
        for ev in lines:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")
    return [iso(T) for T in as_ofs], season


# --------------------------------------------------------------------------- cases

def rand_draft(rng, T):
    d = {"post": rng.choice(["p-1", "q-1", "q-2", "new-post", "p-3"]),
         "kind": rng.choice(["engaging", "educational", "promotional", "ugc"])}
    if rng.random() < 0.8:
        d["author"] = rng.choice(["brand", "brand", "m-1"])
    for k, vals in (("next_step", ["poll", "none", None]), ("ad_label", [True, False, None]),
                    ("captions", [True, False, None]), ("format", ["video", "text", None])):
        if rng.random() < 0.7:
            d[k] = rng.choice(vals)
    if rng.random() < 0.7:
        d["links"] = rng.sample(["https://x.com/a?utm_source=", "https://x.com/a?utm_source=tw&b=1",
                                 "https://x.com/b", "https://x.com/c?a=1&utm_source",
                                 "https://x.com/d#utm_source=x", "https://x.com/e?UTM_SOURCE=x",
                                 "https://x.com/f?x=utm_source"], rng.randint(0, 3))
    if rng.random() < 0.7:
        d["text"] = rng.choice(["Hello", "Buy SPAM now", "naïve Spam", "spa m", ""])
    if rng.random() < 0.5:
        return d
    t = T + rng.choice([0, -O.DAY_US, -3600 * O.US, O.DAY_US, -7 * O.DAY_US])
    return {"stream": "post:" + d["post"], "type": "post.published", "time": iso(t), "data": d}


def cases_for(as_ofs, n_events, rng, work, season):
    out = []
    for T in as_ofs:
        for v, q in QUERIES:
            out.append({"view": v, "query": q, "as_of": T})
    T = as_ofs[-1]
    Tus = O.parse_instant(T)
    # heroes and members at a local Monday midnight of a scenario zone (and 1 µs before)
    from zoneinfo import ZoneInfo
    for z in SCENARIOS[season]["zones"]:
        d = O.us_to_local(Tus, ZoneInfo(z)).date()
        monday = d - timedelta(days=d.weekday())
        m_us = O.local_to_us(monday, "00:00", ZoneInfo(z))
        for t in (m_us, m_us - 1):
            for v, q in (("community", "heroes"), ("community", "summary"), ("content", "mix")):
                out.append({"view": v, "query": q, "as_of": iso(t)})
    # the same instant written with a zone offset and a finer fraction
    s, us = divmod(Tus, O.US)
    local = datetime.fromtimestamp(s, timezone(timedelta(hours=-5, minutes=-30)))
    t_off = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{us:06d}999-05:30"
    for v, q in (("support", "sla"), ("community", "summary"), ("content", "mix"),
                 ("community", "heroes")):
        out.append({"view": v, "query": q, "as_of": t_off})
    # at-position
    for P in sorted({max(1, n_events // 3), max(1, 2 * n_events // 3)}):
        for v, q in QUERIES:
            out.append({"view": v, "query": q, "as_of": T, "at_position": P})
    # windows
    for frm, to in ((Tus - 10 * O.DAY_US, Tus - 2 * O.DAY_US), (Tus - 3 * O.DAY_US, None),
                    (None, Tus - 5 * O.DAY_US)):
        for v, q in (("support", "sla"), ("support", "tickets"), ("support", "backlog"),
                     ("content", "mix")):
            c = {"view": v, "query": q, "as_of": T}
            if frm is not None:
                c["from"] = iso(frm)
            if to is not None:
                c["to"] = iso(to)
            out.append(c)
    # weeks
    for wk in SCENARIOS[season]["weeks"]:
        out.append({"view": "community", "query": "heroes", "as_of": T, "week": wk})
    # content check drafts
    for k in range(6):
        p = os.path.join(work, f"draft-{rng.randint(0, 10**9)}.json")
        with open(p, "w") as f:
            json.dump(rand_draft(rng, Tus), f, ensure_ascii=False)
        out.append({"view": "content", "query": "check", "as_of": T, "draft": p})
    # what-ifs
    for k in range(2):
        pol = {name: RAND_POLICY[name](rng, SCENARIOS[season]) for name in RAND_POLICY
               if rng.random() < 0.7}
        p = os.path.join(work, f"policy-{rng.randint(0, 10**9)}.json")
        with open(p, "w") as f:
            json.dump(pol, f)
        for v, q in QUERIES:
            out.append({"view": v, "query": q, "as_of": T, "policy": p})
    return out


# --------------------------------------------------------------------------- minimizing

def minimize(runner, jsonl, case, gpath, work, budget=120):
    """Greedy ddmin over the file's lines keeping a mismatch on the same generic path."""
    lines = [l for l in open(jsonl, encoding="utf-8") if l.strip()]
    case = dict(case)
    case.pop("at_position", None)
    tmp = os.path.join(work, "min.jsonl")
    ddir = os.path.join(work, "min-data")

    def fails(ls):
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(ls)
        try:
            runner.import_file(tmp, ddir)
        except RuntimeError:
            return False
        d, _, _ = check(runner, tmp, ddir, case)
        return any(generic_path(p) == gpath for p, _, _ in d)

    if not fails(lines):
        return None, case
    n = 2
    runs = 0
    while len(lines) >= 2 and runs < budget:
        chunk = math.ceil(len(lines) / n)
        reduced = False
        for i in range(0, len(lines), chunk):
            cand = lines[:i] + lines[i + chunk:]
            runs += 1
            if cand and fails(cand):
                lines = cand
                n = max(n - 1, 2)
                reduced = True
                break
            if runs >= budget:
                break
        if not reduced:
            if n >= len(lines):
                break
            n = min(len(lines), n * 2)
    return lines, case


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parley", default=os.path.join(ROOT, ".build-oracle/debug/parley"))
    ap.add_argument("--work", default="/tmp/parley-oracle")
    ap.add_argument("--demo-seeds", default="1,2,3")
    ap.add_argument("--random-seeds", default="1-12")
    ap.add_argument("--no-minimize", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    runner = Runner(a.parley, a.work)
    rng = random.Random(42)
    sets = []
    for s in [int(x) for x in a.demo_seeds.split(",") if x]:
        until = ["2026-03-31T00:00:00Z", "2026-04-02T13:30:00Z", "2026-11-03T00:00:00Z"][s % 3]
        p = os.path.join(a.work, f"demo-{s}.jsonl")
        demo_set(runner, s, until, 45, 60, p)
        u = O.parse_instant(until)
        as_ofs = [iso(u - 20 * O.DAY_US - 7 * 3600 * O.US), iso(u - 3 * O.DAY_US), until]
        sets.append((p, as_ofs, "spring" if "-03-" in until or "-04-" in until else "autumn"))
    lo, _, hi = a.random_seeds.partition("-")
    for s in range(int(lo), int(hi or lo) + 1):
        p = os.path.join(a.work, f"edge-{s}.jsonl")
        as_ofs, season = edge_set(s, p)
        sets.append((p, as_ofs, season))

    groups = {}
    total = 0
    for path, as_ofs, season in sets:
        ddir = path + ".data"
        res = runner.import_file(path, ddir)
        events = O.load_events(path)
        if res["appended"] != len(events):
            print(f"! {path}: CLI appended {res['appended']}, oracle kept {len(events)}")
        for case in cases_for(as_ofs, len(events), rng, a.work, season):
            total += 1
            d, exp, got = check(runner, path, ddir, case, events)
            for p, e, g in d[:1]:
                key = (case["view"], case["query"], generic_path(p))
                groups.setdefault(key, []).append((path, case, p, e, g))
            if a.verbose and d:
                print(path, case, d[:3])
    print(f"{len(sets)} data sets, {total} queries, {runner.n} CLI runs, "
          f"{sum(len(v) for v in groups.values())} mismatching values in {len(groups)} groups")
    for key, items in sorted(groups.items()):
        path, case, p, e, g = items[0]
        print(f"\n== {key[0]} {key[1]} {key[2]}: {len(items)} mismatches "
              f"in {len({i[0] for i in items})} data sets")
        print(f"   e.g. {os.path.basename(path)} {' '.join(cli_args(case))} at {p}: "
              f"oracle {json.dumps(e)[:200]} cli {json.dumps(g)[:200]}")
        if not a.no_minimize:
            lines, mcase = minimize(runner, path, case, key[2], a.work)
            if lines is None:
                print("   (not reproducible without --at-position)")
                continue
            print(f"   minimal case ({len(lines)} events) for: parley {case['view']} {case['query']} "
                  f"{' '.join(cli_args(mcase))}")
            if mcase.get("policy"):
                print("   policy file: " + open(mcase["policy"]).read())
            for l in lines:
                print("     " + l.rstrip())
            d, exp, got = check(runner, os.path.join(a.work, "min.jsonl"),
                                os.path.join(a.work, "min-data"), mcase)
            for p2, e2, g2 in d[:4]:
                print(f"   {p2}: oracle {json.dumps(e2)[:200]} cli {json.dumps(g2)[:200]}")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
