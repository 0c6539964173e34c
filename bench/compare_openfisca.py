"""evaluate_frame against OpenFisca-Core on the same population: exactness and speed.

Two benefits, the start-up subsidy (measure 6) and the social-insurance subsidy
(measure 17), for N synthetic applicants with 12 monthly contributions each (2021-01
to 2021-12, in fen, zeros included), decided on 2021-12-31 by both engines.

Run, in a virtual environment that has both engines::

    python -m venv /tmp/ofvenv
    /tmp/ofvenv/bin/pip install -r bench/requirements-openfisca.txt -e '.[analysis]'
    /tmp/ofvenv/bin/python bench/compare_openfisca.py [N]   # N defaults to 1,000,000

(``python bench/run.py --openfisca-python /tmp/ofvenv/bin/python`` runs it too.)

Budgets (issue "One definition of each rule"), at N = 1,000,000:
    * OpenFisca (build + ``set_input`` + ``calculate``) / evaluate_frame (frames +
      call) with ``decimals=False``: at least 10x;
    * the same with the default Decimal columns: at least 5x;
    * evaluate_frame exact to the fen on every row against the independent integer
      reference below (both benefits, eligibility too);
    * peak memory of evaluate_frame alone in a child process at most OpenFisca's
      alone in a child process.

Fairness:
    Both engines start from the same numpy arrays (``numpy.random.default_rng(0)``);
    generating them is not timed. Each engine's time includes turning them into its
    own input: OpenFisca's build is the tax-benefit system, the simulation (its
    fastest public construction: ``instantiate_entities`` and ``Simulation``) and
    every ``set_input`` (the contributions converted to yuan; OpenFisca stores its
    ``float`` as float32); evaluate_frame's includes building the two DataFrames
    (applicants, and contributions in long format, whose low-cardinality string
    columns are categorical) and the call itself. The OpenFisca model does the same
    work inside the engine: its inputs are the raw facts (dates as ``date``
    variables, booleans, the business type as an Enum, each month's contribution as
    a MONTH variable) and its formulas compute the Civil Code 6-month condition from
    the licence date, the graduate window, the counted months and the rate in numpy.
    Its parameters are the built-in plan's on the day of application (not copied
    here), and the Civil Code period end is the library's own vectorised
    [`period_end_days`][yantai_policy.benefits.columns.period_end_days]. It sums the months that
    hold inputs (``Holder.get_known_periods``), as evaluate_frame sums the rows it is
    given. Timings are the median of 5, the engines taking turns, with the garbage
    collector off while timing (as `timeit` does).

    One untimed run of each engine comes first (imports, the plan's first load).

Checks:
    evaluate_frame must be exact: equal to an independent integer computation here
    (scalar [`period_end`][yantai_policy.benefits.periods.period_end] on the distinct dates,
    int64 sums over the contribution matrix: the independent reference for the two
    rules; the OpenFisca model above is the other statement bench/ must keep, since it
    is the engine being compared) on every row, and to
    ``evaluate_many`` on a 10,000-row sample; and meet the speed and memory budgets
    above, comparing like with like: OpenFisca returns numeric arrays, and
    evaluate_frame its int64 fen (``decimals=False``); its default adds a column of
    Decimal objects per benefit. The script exits 1 if a check or a budget fails.
    OpenFisca's float results are compared with the exact ones, for information.

Memory:
    The peak resident set (``VmHWM``) of this process at the end, and of each engine
    run alone in a child process (``--memory frame`` / ``--memory openfisca``: data
    generation plus one run; evaluate_frame with its default Decimal columns).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import platform
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from yantai_policy import benefits, load_policy
from yantai_policy.benefits.base import context
from yantai_policy.benefits.columns import period_end_days
from yantai_policy.benefits.frame import evaluate_frame
from yantai_policy.benefits.periods import month_index, period_end
from yantai_policy.benefits.records import BUSINESS_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    import numpy.typing as npt

    from yantai_policy.parameters import Value

ON = dt.date(2021, 12, 31)
PERIOD = "2021-12"
MONTHS = [f"2021-{m:02d}" for m in range(1, 13)]
FIRST_MONTH = month_index(2021, 1)
TWO = ["startup_subsidy", "social_insurance_subsidy"]
GROUP_LABELS = ["hard_to_employ", "graduate", "hard_to_employ;graduate"]
SAMPLE = 10_000
REPEAT = 5
SPEED_BUDGET = 10
"""OpenFisca / evaluate_frame with ``decimals=False``: at least this."""
SPEED_BUDGET_DECIMALS = 5
"""OpenFisca / evaluate_frame with the Decimal columns: at least this."""


class Population(NamedTuple):
    """The synthetic applicants, as plain numpy arrays both engines start from."""

    n: int
    business_type: npt.NDArray[np.int8]
    """0: not given, else 1 + the index in the contract's ``BUSINESS_TYPES``."""
    first_license_on: npt.NDArray[np.datetime64]
    operating: npt.NDArray[np.bool_]
    pays_employee_insurance: npt.NDArray[np.bool_]
    startup_subsidy_received: npt.NDArray[np.bool_]
    hard_to_employ: npt.NDArray[np.bool_]
    graduate: npt.NDArray[np.bool_]
    left_school_on: npt.NDArray[np.datetime64]
    flexible_since: npt.NDArray[np.datetime64]
    contributions: npt.NDArray[np.int64]
    """Fen paid for 2021-01 .. 2021-12: shape (n, 12)."""


def population(n: int, seed: int = 0) -> Population:
    """Generate ``n`` applicants (not timed: both engines share it)."""
    rng = np.random.default_rng(seed)

    def days(first: str, last: str) -> npt.NDArray[np.datetime64]:
        start, stop = np.datetime64(first, "D"), np.datetime64(last, "D")
        span = int((stop - start).astype(np.int64)) + 1
        offsets = rng.integers(0, span, size=n).astype("timedelta64[D]")
        out: npt.NDArray[np.datetime64] = start + offsets
        return out

    paid = rng.integers(30_000, 300_001, size=(n, 12), dtype=np.int64)  # 300 to 3,000 yuan
    paid[rng.random((n, 12)) < 0.25] = 0  # a quarter of the months unpaid
    return Population(
        n=n,
        business_type=rng.choice(np.array([0, 1, 2], dtype=np.int8), size=n, p=[0.1, 0.7, 0.2]),
        first_license_on=days("2019-01-01", "2022-06-30"),
        operating=rng.random(n) < 0.9,
        pays_employee_insurance=rng.random(n) < 0.8,
        startup_subsidy_received=rng.random(n) < 0.15,
        hard_to_employ=rng.random(n) < 0.3,
        graduate=rng.random(n) < 0.4,
        left_school_on=days("2018-06-01", "2021-12-31"),
        flexible_since=days("2019-01-01", "2022-06-30"),
        contributions=paid,
    )


# ---------------------------------------------------------------- evaluate_frame


def frames(pop: Population, *, copy: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The applicants frame and the long contributions frame (timed with the call).

    ``copy=False`` wraps the arrays without copying them (as a frame read from
    Parquet or Arrow would be); pandas' default for a dict of arrays copies them.
    """
    ids = np.arange(pop.n, dtype=np.int64)
    groups = pop.hard_to_employ.astype(np.int8) + 2 * pop.graduate.astype(np.int8) - 1
    df = pd.DataFrame(
        {
            "id": ids,
            "groups": pd.Categorical.from_codes(groups, categories=pd.Index(GROUP_LABELS)),
            "business_type": pd.Categorical.from_codes(
                pop.business_type - 1, categories=pd.Index(BUSINESS_TYPES)
            ),
            "first_license_on": pop.first_license_on,
            "operating": pop.operating,
            "pays_employee_insurance": pop.pays_employee_insurance,
            "startup_subsidy_received": pop.startup_subsidy_received,
            "left_school_on": pop.left_school_on,
            "flexible_since": pop.flexible_since,
        },
        copy=copy,
    )
    contributions = pd.DataFrame(
        {
            "id": np.repeat(ids, 12),
            "month": pd.Categorical.from_codes(
                np.tile(np.arange(12, dtype=np.int8), pop.n), categories=pd.Index(MONTHS)
            ),
            "amount_fen": pop.contributions.ravel(),
        },
        copy=copy,
    )
    return df, contributions


def run_frame(pop: Population, *, names: list[str], decimals: bool) -> pd.DataFrame:
    """Build the frames and evaluate them."""
    df, contributions = frames(pop)
    return evaluate_frame(df, ON, benefits=names, contributions=contributions, decimals=decimals)


# ---------------------------------------------------------------- OpenFisca


def openfisca_system() -> Any:  # noqa: ANN401 - OpenFisca is untyped
    """The OpenFisca tax-benefit system: one person entity, the facts, two formulas."""
    from openfisca_core.entities import build_entity  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415
    from openfisca_core.model_api import ETERNITY, MONTH, Enum, ParameterNode, Variable  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415

    person = build_entity(key="person", plural="persons", label="Applicant", is_person=True)
    business = Enum(
        "BusinessType",
        [("none", "not given"), ("individual_business", "个体工商户"), ("enterprise", "企业")],
    )

    def variable(name: str, value_type: object, period: object, **extra: object) -> Any:  # noqa: ANN401
        attributes = {
            "value_type": value_type,
            "entity": person,
            "definition_period": period,
            "label": name,
            **extra,
        }
        return type(name, (Variable,), attributes)

    def startup(applicant: Any, period: Any, parameters: Any) -> Any:  # noqa: ANN401
        p = parameters(period).startup_subsidy
        on = np.datetime64(period.stop.date, "D")
        licensed = applicant("first_license_on", period)
        eligible = (
            (applicant("business_type", period) == business.individual_business)
            & (licensed <= on)
            & (on > period_end_days(licensed, int(p.operating_months)))
            & applicant("operating", period)
            & applicant("pays_employee_insurance", period)
            & ~applicant("startup_subsidy_received", period)
        )
        return np.where(eligible, p.amount, 0)

    def social_insurance(applicant: Any, period: Any, parameters: Any) -> Any:  # noqa: ANN401
        p = parameters(period).social_insurance_subsidy
        on = np.datetime64(period.stop.date, "D")
        hard = applicant("hard_to_employ", period)
        left, since = applicant("left_school_on", period), applicant("flexible_since", period)
        graduate = (
            applicant("graduate", period)
            & (left <= since)
            & (since <= period_end_days(left, 12 * int(p.graduate_window_years)))
        )
        hard_months, graduate_months = int(p.max_months_hard_to_employ), int(p.max_months_graduate)
        longest = np.where(
            hard & graduate,
            max(hard_months, graduate_months),
            np.where(hard, hard_months, np.where(graduate, graduate_months, 0)),
        )
        first = since.astype("datetime64[M]").astype(np.int64)
        last = np.minimum(first + longest - 1, on.astype("datetime64[M]").astype(np.int64))
        paid = np.zeros(len(since), dtype=np.float32)
        for month in sorted(applicant.get_holder("contribution").get_known_periods()):
            index = np.datetime64(month.start.date, "M").astype(np.int64)
            counted = (longest > 0) & (first <= index) & (index <= last)
            paid += np.where(counted, applicant("contribution", month), 0)
        eligible = (hard | graduate) & (since <= on) & (paid > 0)
        return np.where(eligible, np.minimum(paid * p.rate, paid * p.rate_cap), 0)

    tbs = TaxBenefitSystem([person])
    tbs.add_variables(
        variable(
            "business_type", Enum, ETERNITY, possible_values=business, default_value=business.none
        ),
        variable("first_license_on", dt.date, ETERNITY),
        variable("hard_to_employ", bool, ETERNITY),
        variable("graduate", bool, ETERNITY),
        variable("left_school_on", dt.date, ETERNITY),
        variable("flexible_since", dt.date, ETERNITY),
        variable("operating", bool, MONTH),
        variable("pays_employee_insurance", bool, MONTH),
        variable("startup_subsidy_received", bool, MONTH),
        variable("contribution", float, MONTH),
        variable("startup_subsidy", float, MONTH, formula=startup),
        variable("social_insurance_subsidy", float, MONTH, formula=social_insurance),
    )

    # The plan's values on the day of application, as OpenFisca parameters in force
    # from that day's year (OpenFisca's float: Decimal yuan and Fraction rates as float).
    data: dict[str, dict[str, object]] = {}
    for key, number in parameter_values().items():
        benefit, _, name = key.partition(".")
        if benefit in TWO and isinstance(number, int | Decimal | Fraction):
            data.setdefault(benefit, {})[name] = {
                "values": {f"{ON.year}-01-01": {"value": float(number)}}
            }
    tbs.parameters = ParameterNode("", data=data)
    return tbs


def run_openfisca(pop: Population) -> tuple[Any, Any, float, float]:
    """Build the system and simulation, set the inputs, calculate both benefits.

    Returns the two results and the seconds for the build and for the calculation.
    """
    from openfisca_core.simulations import Simulation  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: PLC0415

    start = time.perf_counter()
    tbs = openfisca_system()
    populations = tbs.instantiate_entities()
    populations["person"].count = pop.n
    populations["person"].ids = np.arange(pop.n)
    sim = Simulation(tbs, populations)
    for name in ("first_license_on", "left_school_on", "flexible_since"):
        sim.set_input(name, "ETERNITY", getattr(pop, name))
    sim.set_input("business_type", "ETERNITY", pop.business_type)
    sim.set_input("hard_to_employ", "ETERNITY", pop.hard_to_employ)
    sim.set_input("graduate", "ETERNITY", pop.graduate)
    for name in ("operating", "pays_employee_insurance", "startup_subsidy_received"):
        sim.set_input(name, PERIOD, getattr(pop, name))
    for column, month in enumerate(MONTHS):
        sim.set_input("contribution", month, pop.contributions[:, column] / 100)
    built = time.perf_counter()
    startup = sim.calculate("startup_subsidy", PERIOD)
    social = sim.calculate("social_insurance_subsidy", PERIOD)
    done = time.perf_counter()
    return startup, social, built - start, done - built


# ---------------------------------------------------------------- the exact reference


class Exact(NamedTuple):
    """The exact results, in fen."""

    startup: npt.NDArray[np.int64]
    social: npt.NDArray[np.int64]
    """The social-insurance subsidy, half-up to the fen (0 where not eligible)."""
    counted: npt.NDArray[np.int64]
    """What was paid in the counted months, for the eligible (0 otherwise)."""


def parameter_values() -> Mapping[str, Value | None]:
    """The built-in plan's parameters on the day of application."""
    return context(load_policy(), ON).values  # noqa: PD011 - Context.values, not pandas


def independent(pop: Population) -> Exact:
    """Both benefits in fen, computed here without evaluate_frame's code.

    Dates go through the library's scalar period_end (dateutil) once per distinct
    date; money is int64 over the (n, 12) contribution matrix.
    """
    values = parameter_values()
    on = np.datetime64(ON, "D")

    def scalar_period_end(
        days: npt.NDArray[np.datetime64], months: int
    ) -> npt.NDArray[np.datetime64]:
        distinct, inverse = np.unique(days, return_inverse=True)
        ends = np.array(
            [period_end(d, months=months) for d in distinct.tolist()], dtype="datetime64[D]"
        )
        out: npt.NDArray[np.datetime64] = ends[inverse]
        return out

    months = values["startup_subsidy.operating_months"]
    amount = values["startup_subsidy.amount"]
    if not isinstance(months, int):
        raise TypeError("the built-in plan's periods are whole numbers")
    licensed = pop.first_license_on
    startup_ok = (
        (pop.business_type == 1)
        & (licensed <= on)
        & (on > scalar_period_end(licensed, months))
        & pop.operating
        & pop.pays_employee_insurance
        & ~pop.startup_subsidy_received
    )
    if not isinstance(amount, Decimal):
        raise TypeError("the built-in plan's amounts are Decimal yuan")
    startup = np.where(startup_ok, int(amount * 100), 0).astype(np.int64)

    window = values["social_insurance_subsidy.graduate_window_years"]
    hard_months = values["social_insurance_subsidy.max_months_hard_to_employ"]
    graduate_months = values["social_insurance_subsidy.max_months_graduate"]
    rate, cap = values["social_insurance_subsidy.rate"], values["social_insurance_subsidy.rate_cap"]
    if not (
        isinstance(window, int)
        and isinstance(hard_months, int)
        and isinstance(graduate_months, int)
    ):
        raise TypeError("the built-in plan's periods are whole numbers")
    left, since = pop.left_school_on, pop.flexible_since
    graduate = pop.graduate & (left <= since) & (since <= scalar_period_end(left, 12 * window))
    hard = pop.hard_to_employ
    longest = np.maximum(np.where(hard, hard_months, 0), np.where(graduate, graduate_months, 0))
    years = since.astype("datetime64[Y]").astype(np.int64) + 1970
    first = years * 12 + (since.astype("datetime64[M]").astype(np.int64) % 12)
    last = np.minimum(first + longest - 1, month_index(ON.year, ON.month))
    columns = FIRST_MONTH + np.arange(12)
    counted = (first[:, None] <= columns) & (columns <= last[:, None]) & (longest[:, None] > 0)
    paid = np.where(counted, pop.contributions, 0).sum(axis=1)
    ok = (hard | graduate) & (since <= on) & (paid > 0)
    if not (isinstance(rate, Fraction) and isinstance(cap, Fraction)):
        raise TypeError("the built-in plan's rates are fractions")
    num, den = rate.numerator, rate.denominator
    fen = (2 * paid * num + den) // (2 * den)
    fen = np.minimum(fen, paid * cap.numerator // cap.denominator)
    return Exact(startup, np.where(ok, fen, 0).astype(np.int64), np.where(ok, paid, 0))


def sample_records(pop: Population, rows: npt.NDArray[np.intp]) -> list[dict[str, Any]]:
    """The sampled applicants as record dicts, for evaluate_many."""
    out = []
    for i in rows.tolist():
        groups = [
            g
            for g, member in (
                ("hard_to_employ", pop.hard_to_employ[i]),
                ("graduate", pop.graduate[i]),
            )
            if member
        ]
        record: dict[str, Any] = {
            "id": i,
            "groups": groups,
            "first_license_on": str(pop.first_license_on[i]),
            "operating": bool(pop.operating[i]),
            "pays_employee_insurance": bool(pop.pays_employee_insurance[i]),
            "startup_subsidy_received": bool(pop.startup_subsidy_received[i]),
            "left_school_on": str(pop.left_school_on[i]),
            "flexible_since": str(pop.flexible_since[i]),
            "contributions": [
                {"month": month, "amount": f"{fen // 100}.{fen % 100:02d}"}
                for month, fen in zip(MONTHS, pop.contributions[i].tolist(), strict=True)
            ],
        }
        if pop.business_type[i]:
            record["business_type"] = BUSINESS_TYPES[pop.business_type[i] - 1]
        out.append(record)
    return out


# ---------------------------------------------------------------- reporting


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Collect garbage, then keep the collector off while timing (as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def peak_mib() -> float:
    """This process's own peak resident memory, in MiB.

    ``VmHWM`` belongs to this address space, so unlike ``ru_maxrss`` it does not
    carry the parent's peak over the ``exec`` of a child.
    """
    with contextlib.suppress(OSError):
        for line in open("/proc/self/status", encoding="ascii"):  # noqa: PTH123, SIM115
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_peak(engine: str, n: int) -> float | str:
    """Run one engine alone in a child process; its peak memory in MiB, or why not."""
    done = subprocess.run(
        [sys.executable, __file__, str(n), "--memory", engine],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip()[-200:]}"
    return float(done.stdout.split()[0].replace(",", ""))


def memory_only(engine: str, n: int) -> int:
    """Generate the data and run one engine once; print the peak memory."""
    pop = population(n)
    if engine == "frame":
        run_frame(pop, names=TWO, decimals=True)
    else:
        run_openfisca(pop)
    print(f"{peak_mib():,.0f} MiB")
    return 0


def main(n: int) -> int:  # noqa: PLR0915 - one report, top to bottom
    """Run the comparison and print the report; return 1 if a requirement is missed."""
    print(
        f"evaluate_frame vs OpenFisca-Core, {n:,} applicants x 12 months, on {ON} "
        f"({platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__})"
    )
    # Each engine alone, in a child, first: a child's ru_maxrss starts from its
    # parent's resident size at the fork, so the parent must still be small.
    memory = {engine: child_peak(engine, n) for engine in ("frame", "openfisca")}
    start = time.perf_counter()
    pop = population(n)
    print(f"synthetic data generated in {time.perf_counter() - start:.2f} s (not timed below)")

    # -- one untimed run of each engine (imports, the plan's first load, caches)
    run_openfisca(pop)
    run_frame(pop, names=TWO, decimals=False)

    # -- median of REPEAT, the engines taking turns (so that a slow spell of the
    # machine falls on both): OpenFisca (build, calculation); evaluate_frame with and
    # without the Decimal columns, and for all six benefits; building the frames.
    six = list(benefits.APPLICANT_BENEFITS)
    runs: dict[str, list[float]] = {}

    def timed(label: str, run: Callable[[], object]) -> object:
        with quiet():
            start = time.perf_counter()
            out = run()
            runs.setdefault(label, []).append(time.perf_counter() - start)
        return out

    of_runs = []
    for _ in range(REPEAT):
        with quiet():
            start = time.perf_counter()
            of_startup, of_social, build, calc = run_openfisca(pop)
            of_runs.append((time.perf_counter() - start, build, calc))
        timed("lean", lambda: run_frame(pop, names=TWO, decimals=False))
        result = timed("full", lambda: run_frame(pop, names=TWO, decimals=True))
        timed("six", lambda: run_frame(pop, names=six, decimals=False))
        timed("build", lambda: frames(pop))
        timed("build_copy", lambda: frames(pop, copy=True))
    of_total, of_build, of_calc = (statistics.median(run[k] for run in of_runs) for k in range(3))
    frame_lean, frame_full, frame_six, frame_build, frame_build_copy = (
        statistics.median(runs[label]) for label in ("lean", "full", "six", "build", "build_copy")
    )
    assert isinstance(result, pd.DataFrame)  # noqa: S101

    # -- exactness of evaluate_frame
    exact = independent(pop)
    exact_startup, exact_social = exact.startup, exact.social
    got_startup = result["startup_subsidy.amount_fen"].to_numpy(dtype=np.int64)
    got_social = result["social_insurance_subsidy.amount_fen"].to_numpy(dtype=np.int64)
    startup_exact = int((got_startup == exact_startup).sum())
    social_exact = int((got_social == exact_social).sum())
    eligible_ok = bool(
        np.array_equal(result["startup_subsidy.eligible"].to_numpy(), exact_startup > 0)
        and np.array_equal(result["social_insurance_subsidy.eligible"].to_numpy(), exact_social > 0)
    )
    rows = np.random.default_rng(1).choice(n, size=min(SAMPLE, n), replace=False)
    many = list(benefits.evaluate_many(sample_records(pop, rows), on=ON, benefits=TWO))
    sample = result.iloc[rows]
    columns = {
        name: (
            sample[f"{name}.eligible"].tolist(),
            [None if v is pd.NA else int(v) for v in sample[f"{name}.amount_fen"]],
            sample[f"{name}.amount"].tolist(),
        )
        for name in TWO
    }
    sample_mismatch = 0
    for k, row in enumerate(many):
        for outcome in row.outcomes:
            eligible, fen, amount = (column[k] for column in columns[outcome.benefit])
            same = (bool(eligible), fen, amount) == (outcome.eligible, outcome.fen, outcome.amount)
            sample_mismatch += not same

    # -- OpenFisca against the exact values
    of_startup_fen = of_startup.astype(np.float64) * 100
    of_startup_agree = int((of_startup_fen == exact_startup).sum())
    of_social_fen = of_social.astype(np.float64) * 100  # float32 yuan to float64 fen
    rate = parameter_values()["social_insurance_subsidy.rate"]
    if not isinstance(rate, Fraction):
        raise TypeError("the built-in plan's rates are fractions")
    rational = exact.counted * float(rate)  # exact to ~1e-9 fen at these amounts
    max_err_rational = float(np.abs(of_social_fen - rational).max())
    max_err_rounded = float(np.abs(of_social_fen - exact_social).max())
    of_rounded = np.floor(of_social_fen + 0.5).astype(np.int64)  # half-up to the fen
    differing = int((of_rounded != exact_social).sum())
    total_diff = int(of_rounded.sum() - exact_social.sum())
    of_eligible_agree = int(((of_social > 0) == (exact_social > 0)).sum())

    ratio_full = of_total / frame_full
    ratio = of_total / frame_lean
    is_exact = startup_exact == n and social_exact == n and eligible_ok and sample_mismatch == 0
    fast = ratio >= SPEED_BUDGET and ratio_full >= SPEED_BUDGET_DECIMALS
    frame_peak, of_peak = memory["frame"], memory["openfisca"]
    lean = isinstance(frame_peak, float) and isinstance(of_peak, float) and frame_peak <= of_peak

    def line(label: str, value: str) -> None:
        print(f"  {label:<62} {value}")

    print("\nresults")
    line(
        "eligible: startup_subsidy / social_insurance_subsidy",
        f"{int((exact_startup > 0).sum()):,} / {int((exact_social > 0).sum()):,}",
    )
    line("total social_insurance_subsidy (exact)", f"{int(exact_social.sum()) / 100:,.2f} yuan")
    print("evaluate_frame exactness")
    line("startup: rows equal to the independent integer computation", f"{startup_exact:,} / {n:,}")
    line("social insurance: rows equal to it", f"{social_exact:,} / {n:,}")
    line("eligibility equal to it (both benefits)", "yes" if eligible_ok else "NO")
    line(
        f"evaluate_many sample: rows x benefits differing (of {len(rows):,} x 2)",
        f"{sample_mismatch}",
    )
    print("OpenFisca (float32) against the exact values")
    line("startup: rows agreeing exactly", f"{of_startup_agree:,} / {n:,}")
    line("social insurance: eligibility agreeing", f"{of_eligible_agree:,} / {n:,}")
    line("social insurance: max |OpenFisca - exact rational| (fen)", f"{max_err_rational:.4f}")
    line(
        "social insurance: max |OpenFisca - exact, rounded to the fen| (fen)",
        f"{max_err_rounded:.4f}",
    )
    line(
        "social insurance: rows differing after rounding OpenFisca half-up",
        f"{differing:,} / {n:,}",
    )
    line("social insurance: total difference after rounding (fen)", f"{total_diff:+,}")
    print(f"timings (median of {REPEAT})")
    line(
        "budgets: OpenFisca / evaluate_frame at least",
        f"{SPEED_BUDGET}x decimals=False, {SPEED_BUDGET_DECIMALS}x with Decimal columns",
    )
    line("OpenFisca build: system + simulation + set_input", f"{of_build:8.3f} s")
    line("OpenFisca calculate: both benefits", f"{of_calc:8.3f} s")
    line("OpenFisca total", f"{of_total:8.3f} s")
    line("evaluate_frame, 2 benefits, with Decimal columns (default)", f"{frame_full:8.3f} s")
    line("evaluate_frame, 2 benefits, decimals=False", f"{frame_lean:8.3f} s")
    line("evaluate_frame, all 6 benefits, decimals=False", f"{frame_six:8.3f} s")
    line("  of which building the two DataFrames (included in each)", f"{frame_build:8.3f} s")
    line(
        "  (building them with pandas' default copy instead would take)",
        f"{frame_build_copy:8.3f} s",
    )
    line("speed ratio OpenFisca / evaluate_frame, decimals=False", f"{ratio:8.2f} x")
    line("speed ratio OpenFisca / evaluate_frame, with Decimal columns", f"{ratio_full:8.2f} x")
    line(
        "all 6 benefits: OpenFisca (2 benefits) / evaluate_frame", f"{of_total / frame_six:8.2f} x"
    )
    print("peak memory (VmHWM)")
    line(f"this process (both engines, {REPEAT} runs each, checks)", f"{peak_mib():,.0f} MiB")

    def mib(peak: float | str) -> str:
        return f"{peak:,.0f} MiB" if isinstance(peak, float) else peak

    line("evaluate_frame alone (child: data + one run, Decimal columns)", mib(frame_peak))
    line("OpenFisca alone (child: data + one run)", mib(of_peak))
    print(
        f"\nevaluate_frame exact: {'yes' if is_exact else 'NO'}; "
        f"{SPEED_BUDGET}x faster (decimals=False) and {SPEED_BUDGET_DECIMALS}x (Decimal "
        f"columns): {'yes' if fast else 'NO'}; peak memory at most OpenFisca's: "
        f"{'yes' if lean else 'NO'}"
    )
    return 0 if is_exact and fast and lean else 1


if __name__ == "__main__":
    try:
        import openfisca_core  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        sys.exit(
            "needs OpenFisca-Core: pip install -e '.[analysis]' -r bench/requirements-openfisca.txt"
        )
    arguments = sys.argv[1:]
    size = int(arguments[0]) if arguments and arguments[0].isdigit() else 1_000_000
    if "--memory" in arguments:
        sys.exit(memory_only(arguments[arguments.index("--memory") + 1], size))
    sys.exit(main(size))
