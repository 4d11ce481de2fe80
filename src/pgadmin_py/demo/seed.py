"""Deterministic sample data for the demo brokerage.

The same seed always yields the same rows (``random.Random(42)``, a fixed "today"), so
screenshots, docs and tests can rely on them. Rows go in with ``COPY`` in one transaction:
a few thousand rows load in well under a second and a failure leaves the tables empty.

Only columns that exist at the demo's seeded revision are written: the last two revisions
are left pending on purpose, so ``clients.notes`` does not exist yet when this runs.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

# Fixed "now" so the data never depends on when the demo was prepared.
TODAY = datetime(2024, 6, 28, 18, 0, tzinfo=timezone.utc)

FIRST_NAMES = (
    "Alice", "Bruno", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Keiko", "Liam", "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Samir", "Tara",
    "Umar", "Vera", "William", "Xenia", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Anderson", "Bergmann", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jensen", "Kowalski", "Laurent", "Moreau", "Novak", "O'Brien", "Petrov", "Quintero", "Rossi",
    "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Yilmaz", "Zimmermann",
)  # fmt: skip

TAGS = (
    ("vip", "#d4a017"), ("high-risk", "#c0392b"), ("dormant", "#7f8c8d"), ("institutional", "#2c3e50"),
    ("referral", "#27ae60"), ("margin", "#8e44ad"), ("newsletter", "#2980b9"), ("kyc-pending", "#e67e22"),
    ("retirement", "#16a085"), ("day-trader", "#e84393"),
)  # fmt: skip

# ticker, exchange, name, kind, currency, lot size, reference price, attributes
INSTRUMENTS: tuple[tuple[str, str, str, str, str, int, float, dict[str, Any] | None], ...] = (
    ("AAPL", "NASDAQ", "Apple Inc.", "stock", "USD", 1, 190.0, {"sector": "Technology"}),
    ("MSFT", "NASDAQ", "Microsoft Corp.", "stock", "USD", 1, 420.0, {"sector": "Technology"}),
    ("GOOGL", "NASDAQ", "Alphabet Inc. Class A", "stock", "USD", 1, 170.0, {"sector": "Communication"}),
    ("AMZN", "NASDAQ", "Amazon.com Inc.", "stock", "USD", 1, 185.0, {"sector": "Consumer"}),
    ("NVDA", "NASDAQ", "NVIDIA Corp.", "stock", "USD", 1, 120.0, {"sector": "Technology"}),
    ("META", "NASDAQ", "Meta Platforms Inc.", "stock", "USD", 1, 500.0, {"sector": "Communication"}),
    ("TSLA", "NASDAQ", "Tesla Inc.", "stock", "USD", 1, 180.0, {"sector": "Automotive"}),
    ("JPM", "NYSE", "JPMorgan Chase & Co.", "stock", "USD", 1, 200.0, {"sector": "Financials"}),
    ("V", "NYSE", "Visa Inc.", "stock", "USD", 1, 270.0, {"sector": "Financials"}),
    ("JNJ", "NYSE", "Johnson & Johnson", "stock", "USD", 1, 150.0, {"sector": "Health Care"}),
    ("XOM", "NYSE", "Exxon Mobil Corp.", "stock", "USD", 1, 115.0, {"sector": "Energy"}),
    ("KO", "NYSE", "Coca-Cola Co.", "stock", "USD", 1, 62.0, {"sector": "Consumer Staples"}),
    ("DIS", "NYSE", "Walt Disney Co.", "stock", "USD", 1, 100.0, {"sector": "Communication"}),
    ("BA", "NYSE", "Boeing Co.", "stock", "USD", 1, 180.0, {"sector": "Industrials"}),
    ("SAP", "XETRA", "SAP SE", "stock", "EUR", 1, 175.0, {"sector": "Technology"}),
    ("SIE", "XETRA", "Siemens AG", "stock", "EUR", 1, 172.0, {"sector": "Industrials"}),
    ("ALV", "XETRA", "Allianz SE", "stock", "EUR", 1, 260.0, {"sector": "Financials"}),
    ("BMW", "XETRA", "Bayerische Motoren Werke AG", "stock", "EUR", 1, 90.0, {"sector": "Automotive"}),
    ("MC", "EPA", "LVMH Moet Hennessy Louis Vuitton", "stock", "EUR", 1, 720.0, {"sector": "Consumer"}),
    ("AIR", "EPA", "Airbus SE", "stock", "EUR", 1, 130.0, {"sector": "Industrials"}),
    ("ASML", "AMS", "ASML Holding NV", "stock", "EUR", 1, 960.0, {"sector": "Technology"}),
    ("SHEL", "LSE", "Shell plc", "stock", "GBP", 1, 28.0, {"sector": "Energy"}),
    ("AZN", "LSE", "AstraZeneca plc", "stock", "GBP", 1, 122.0, {"sector": "Health Care"}),
    ("HSBA", "LSE", "HSBC Holdings plc", "stock", "GBP", 1, 6.9, {"sector": "Financials"}),
    ("ULVR", "LSE", "Unilever plc", "stock", "GBP", 1, 43.0, {"sector": "Consumer Staples"}),
    ("BP", "LSE", "BP plc", "stock", "GBP", 1, 4.8, {"sector": "Energy"}),
    ("SPY", "NYSE", "SPDR S&P 500 ETF Trust", "etf", "USD", 1, 540.0, {"expense_ratio": 0.0945}),
    ("QQQ", "NASDAQ", "Invesco QQQ Trust", "etf", "USD", 1, 470.0, {"expense_ratio": 0.2}),
    ("VTI", "NYSE", "Vanguard Total Stock Market ETF", "etf", "USD", 1, 265.0, {"expense_ratio": 0.03}),
    ("EEM", "NYSE", "iShares MSCI Emerging Markets ETF", "etf", "USD", 1, 42.0, {"expense_ratio": 0.7}),
    ("GLD", "NYSE", "SPDR Gold Shares", "etf", "USD", 1, 215.0, {"expense_ratio": 0.4}),
    ("IWDA", "AMS", "iShares Core MSCI World UCITS ETF", "etf", "USD", 1, 95.0, {"expense_ratio": 0.2}),
    ("EXS1", "XETRA", "iShares Core DAX UCITS ETF", "etf", "EUR", 1, 160.0, None),
    ("ISF", "LSE", "iShares Core FTSE 100 UCITS ETF", "etf", "GBP", 1, 8.1, None),
    ("US10Y", "OTC", "US Treasury 4.375% 2034", "bond", "USD", 10, 99.2,
     {"coupon": 4.375, "maturity": "2034-05-15", "issuer": "US Treasury"}),
    ("US2Y", "OTC", "US Treasury 4.5% 2026", "bond", "USD", 10, 99.6,
     {"coupon": 4.5, "maturity": "2026-05-31", "issuer": "US Treasury"}),
    ("DBR34", "XETRA", "Bund 2.2% 2034", "bond", "EUR", 10, 97.4,
     {"coupon": 2.2, "maturity": "2034-02-15", "issuer": "Federal Republic of Germany"}),
    ("OAT33", "EPA", "OAT 3% 2033", "bond", "EUR", 10, 99.0,
     {"coupon": 3.0, "maturity": "2033-05-25", "issuer": "French Republic"}),
    ("UKT33", "LSE", "Gilt 4.25% 2033", "bond", "GBP", 10, 100.5,
     {"coupon": 4.25, "maturity": "2033-06-07", "issuer": "HM Treasury"}),
    ("AAPL29", "OTC", "Apple Inc. 3.25% 2029", "bond", "USD", 10, 95.3,
     {"coupon": 3.25, "maturity": "2029-08-08", "issuer": "Apple Inc."}),
)  # fmt: skip

BROKER_COUNT = 20
CLIENT_COUNT = 300
OPERATION_COUNT = 5_000
PAYMENT_COUNT = 2_000


@dataclass(frozen=True)
class _Table:
    """Rows for one table; ``columns`` is the space-separated ``COPY`` column list, in row order."""

    name: str
    columns: str
    rows: list[tuple[Any, ...]]
    has_serial_id: bool = True


def seed(database_url: str) -> dict[str, int]:
    """Fill the (empty) demo tables and return the number of rows written per table.

    ``database_url`` may use the SQLAlchemy spelling ``postgresql+psycopg://``. Everything is
    written in a single transaction, so on error the database is left as it was.
    """
    tables = _generate(random.Random(42))  # noqa: S311 - sample data, not secrets
    with psycopg.connect(psycopg_conninfo(database_url)) as conn, conn.cursor() as cur:
        for table in tables:
            _copy(cur, table)
            if table.has_serial_id:
                # Ids were given explicitly, so move the sequence past them for future inserts.
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}")
    with psycopg.connect(psycopg_conninfo(database_url), autocommit=True) as conn:
        # Fresh statistics, so row estimates (pg_class.reltuples) are right from the first page view.
        conn.execute("ANALYZE")
    return {table.name: len(table.rows) for table in tables}


def psycopg_conninfo(database_url: str) -> str:
    """A libpq URL from a SQLAlchemy one: psycopg does not understand ``postgresql+psycopg://``.

    Only the scheme is rewritten; the rest is kept byte for byte because re-rendering the URL
    would re-quote the password and query (a socket directory with a space would not survive).
    """
    scheme, separator, rest = database_url.partition("://")
    if not separator:
        return database_url
    return f"{scheme.partition('+')[0]}://{rest}"


def _copy(cur: psycopg.Cursor[Any], table: _Table) -> None:
    columns = ", ".join(table.columns.split())
    with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in table.rows:
            copy.write_row(row)


def _generate(rng: random.Random) -> list[_Table]:
    """All rows, parents before children (the order ``COPY`` must follow for foreign keys)."""
    brokers = _brokers(rng)
    active_broker_ids = [row[0] for row in brokers if row[5]]
    clients = _clients(rng, active_broker_ids)
    tags = [(i, name, color) for i, (name, color) in enumerate(TAGS, start=1)]
    client_tags = [
        (client[0], tag_id)
        for client in clients
        for tag_id in sorted(rng.sample(range(1, len(tags) + 1), k=rng.choice((0, 0, 1, 1, 2, 3))))
    ]
    accounts = _accounts(rng, clients)
    instruments = [
        (i, ticker, exchange, name, kind, currency, lot, Jsonb(attrs) if attrs is not None else None)
        for i, (ticker, exchange, name, kind, currency, lot, _, attrs) in enumerate(INSTRUMENTS, start=1)
    ]
    return [
        _Table("brokers", "id full_name email manager_id hired_on is_active created_at", brokers),
        _Table(
            "clients",
            "id public_id full_name email phone_numbers birth_date is_verified preferences broker_id created_at",
            clients,
        ),
        _Table("tags", "id name color", tags),
        _Table("client_tags", "client_id tag_id", client_tags, has_serial_id=False),
        _Table("accounts", "id client_id account_number currency opened_on closed_on created_at", accounts),
        _Table("instruments", "id ticker exchange name kind currency lot_size attributes", instruments),
        _Table(
            "operations",
            "id account_id instrument_id side quantity price fee executed_at created_at",
            _operations(rng, accounts),
        ),
        _Table(
            "payments",
            "id account_id reference direction status amount currency paid_at created_at",
            _payments(rng, accounts),
        ),
    ]


def _brokers(rng: random.Random) -> list[tuple[Any, ...]]:
    """A head of desk, three team leads reporting to them, everyone else in one of the teams."""
    rows: list[tuple[Any, ...]] = []
    for broker_id in range(1, BROKER_COUNT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if broker_id == 1:
            manager_id = None
        elif broker_id <= 4:
            manager_id = 1
        else:
            manager_id = rng.randint(2, 4)
        hired_on = date(2012, 1, 9) + timedelta(days=rng.randint(0, 11 * 365))
        is_active = broker_id <= 4 or rng.random() > 0.12
        email = f"{_slug(first)}.{_slug(last)}.{broker_id}@northgate-brokerage.example"
        rows.append((broker_id, f"{first} {last}", email, manager_id, hired_on, is_active, _at(hired_on, rng)))
    return rows


def _clients(rng: random.Random, broker_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for client_id in range(1, CLIENT_COUNT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        phones = [f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" for _ in range(rng.randint(0, 3))]
        birth_date = None if rng.random() < 0.05 else date(1950, 1, 1) + timedelta(days=rng.randint(0, 53 * 365))
        is_verified = rng.choices((True, False, None), weights=(70, 10, 20))[0]
        preferences = {
            "language": rng.choice(("en", "en", "de", "fr", "es")),
            "risk_profile": rng.choice(("conservative", "balanced", "balanced", "aggressive")),
            "notifications": {"email": rng.random() < 0.8, "sms": rng.random() < 0.3},
        }
        broker_id = None if rng.random() < 0.05 else rng.choice(broker_ids)
        joined = date(2019, 1, 1) + timedelta(days=rng.randint(0, 4 * 365))
        rows.append(
            (
                client_id,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                f"{first} {last}",
                f"{_slug(first)}.{_slug(last)}{client_id}@example.com",
                phones,
                birth_date,
                is_verified,
                Jsonb(preferences),
                broker_id,
                _at(joined, rng),
            )
        )
    return rows


def _accounts(rng: random.Random, clients: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One or two accounts per client, opened after the client joined; a few are closed."""
    rows: list[tuple[Any, ...]] = []
    for client in clients:
        joined: date = client[9].date()
        for _ in range(rng.choice((1, 1, 2))):
            account_id = len(rows) + 1
            currency = rng.choices(("USD", "EUR", "GBP"), weights=(70, 20, 10))[0]
            opened_on = joined + timedelta(days=rng.randint(0, 60))
            closed_on = opened_on + timedelta(days=rng.randint(200, 900)) if rng.random() < 0.05 else None
            if closed_on is not None and closed_on >= TODAY.date():
                closed_on = None
            rows.append(
                (
                    account_id,
                    client[0],
                    f"NG-{account_id:07d}",
                    currency,
                    opened_on,
                    closed_on,
                    _at(opened_on, rng),
                )
            )
    return rows


def _operations(rng: random.Random, accounts: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Trades executed between an account's opening (or closing) day and ``TODAY``."""
    rows: list[tuple[Any, ...]] = []
    for operation_id in range(1, OPERATION_COUNT + 1):
        account = rng.choice(accounts)
        instrument_id = rng.randint(1, len(INSTRUMENTS))
        reference_price = INSTRUMENTS[instrument_id - 1][6]
        price = Decimal(str(round(reference_price * rng.uniform(0.8, 1.2), 4)))
        quantity = rng.choice((1, 2, 5, 10, 10, 20, 25, 50, 100, 200))
        fee = max(Decimal("1.00"), (price * quantity * Decimal("0.0005")).quantize(Decimal("0.01")))
        executed_at = _moment_between(rng, account[4], account[5])
        side = "BUY" if rng.random() < 0.58 else "SELL"
        created_at = executed_at + timedelta(milliseconds=rng.randint(20, 900))
        rows.append((operation_id, account[0], instrument_id, side, quantity, price, fee, executed_at, created_at))
    return rows


def _payments(rng: random.Random, accounts: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Deposits and withdrawals; only settled ones (completed, refunded) have ``paid_at``."""
    rows: list[tuple[Any, ...]] = []
    for payment_id in range(1, PAYMENT_COUNT + 1):
        account = rng.choice(accounts)
        direction = "deposit" if rng.random() < 0.65 else "withdrawal"
        status = rng.choices(("completed", "pending", "failed", "refunded"), weights=(85, 7, 5, 3))[0]
        amount = Decimal(rng.choice((100, 250, 500, 1000, 2500, 5000, 10000)) * rng.uniform(0.5, 2.0))
        created_at = _moment_between(rng, account[4], account[5])
        settled = status in ("completed", "refunded")
        paid_at = min(TODAY, created_at + timedelta(minutes=rng.randint(1, 2880))) if settled else None
        rows.append(
            (
                payment_id,
                account[0],
                uuid.UUID(int=rng.getrandbits(128), version=4),
                direction,
                status,
                amount.quantize(Decimal("0.01")),
                account[3],
                paid_at,
                created_at,
            )
        )
    return rows


def _moment_between(rng: random.Random, start: date, end: date | None) -> datetime:
    """A random instant in trading hours (08:00-17:00 UTC) from ``start`` to ``end`` or ``TODAY``."""
    last_day = end if end is not None else TODAY.date()
    day = start + timedelta(days=rng.randint(0, max(0, (last_day - start).days)))
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return midnight + timedelta(seconds=rng.randint(8 * 3600, 17 * 3600))


def _at(day: date, rng: random.Random) -> datetime:
    """A time of day on ``day`` for ``created_at`` columns."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return midnight + timedelta(seconds=rng.randint(9 * 3600, 18 * 3600))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
