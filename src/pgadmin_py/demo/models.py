"""SQLAlchemy models of the demo brokerage: brokers serve clients, clients own accounts,
accounts book trades (operations) on instruments and move money (payments).

The schema is deliberately varied so every screen of the app has something to show: a
self-referencing hierarchy, 1:N and M:N relationships, CASCADE and SET NULL foreign keys,
PostgreSQL enums, JSONB, arrays, UUIDs, money and check constraints.

This module is the schema at Alembic *head*; ``migrations/versions`` builds the same thing
step by step and the integration tests assert that autogenerate finds no difference.

It must stay free of sibling imports: ``migrations/env.py`` imports it as a top-level
``models`` module (the demo directory is put on ``sys.path``) so that it works both inside
the installed package and when the demo is mounted as a standalone project.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep hand-written migrations and the models in lockstep: without
# them PostgreSQL invents names that autogenerate can only compare by guesswork.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base; every ``datetime`` column is ``timestamptz`` (money moves across zones)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class OperationSide(str, enum.Enum):
    """Direction of a trade; stored as the PostgreSQL enum ``operation_side``."""

    BUY = "BUY"
    SELL = "SELL"


class InstrumentKind(str, enum.Enum):
    """Asset class of an instrument; stored as ``instrument_kind``."""

    STOCK = "stock"
    BOND = "bond"
    ETF = "etf"


class PaymentDirection(str, enum.Enum):
    """Whether money enters or leaves an account; stored as ``payment_direction``."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"


class PaymentStatus(str, enum.Enum):
    """Life cycle of a payment; stored as ``payment_status``."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"


def _pg_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A native PostgreSQL enum storing the members' *values* (what SQL users type), not names."""
    return Enum(enum_class, name=name, values_callable=lambda members: [m.value for m in members])


client_tags = Table(
    "client_tags",
    Base.metadata,
    Column("client_id", ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The primary key already serves "tags of a client"; this serves "clients with a tag".
    Index(None, "tag_id"),
)


class Broker(Base):
    """An employee who manages clients; brokers report to a manager who is also a broker."""

    __tablename__ = "brokers"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # SET NULL: when a manager leaves, their reports stay and simply have no manager for a while.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("brokers.id", ondelete="SET NULL"), index=True)
    hired_on: Mapped[date]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    manager: Mapped[Broker | None] = relationship(back_populates="reports", remote_side=[id])
    reports: Mapped[list[Broker]] = relationship(back_populates="manager", passive_deletes=True)
    clients: Mapped[list[Client]] = relationship(back_populates="broker", passive_deletes=True)

    def __repr__(self) -> str:
        return f"Broker(id={self.id!r}, full_name={self.full_name!r})"


class Client(Base):
    """A customer of the brokerage, optionally assigned to a broker."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exposed to other systems instead of the sequential id, which would leak the client count.
    public_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4, server_default=func.gen_random_uuid())
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone_numbers: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    birth_date: Mapped[date | None]
    # NULL means "KYC check not done yet", which is different from a failed check (false).
    is_verified: Mapped[bool | None]
    preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("brokers.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    notes: Mapped[str | None] = mapped_column(Text)

    broker: Mapped[Broker | None] = relationship(back_populates="clients")
    # An account cannot exist without its client: removing it from the list deletes it.
    accounts: Mapped[list[Account]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[Tag]] = relationship(secondary=client_tags, back_populates="clients")

    def __repr__(self) -> str:
        return f"Client(id={self.id!r}, full_name={self.full_name!r})"


class Tag(Base):
    """A free-form label put on clients by brokers (``vip``, ``dormant``...)."""

    __tablename__ = "tags"
    __table_args__ = (CheckConstraint("color ~ '^#[0-9a-f]{6}$'", name="color_is_hex"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    color: Mapped[str] = mapped_column(String(7), server_default=text("'#888888'"))

    clients: Mapped[list[Client]] = relationship(secondary=client_tags, back_populates="tags")

    def __repr__(self) -> str:
        return f"Tag(id={self.id!r}, name={self.name!r})"


class Account(Base):
    """A brokerage account of a client, held in one currency."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_is_iso"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    account_number: Mapped[str] = mapped_column(String(20), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    client: Mapped[Client] = relationship(back_populates="accounts")
    operations: Mapped[list[Operation]] = relationship(back_populates="account", passive_deletes=True)
    payments: Mapped[list[Payment]] = relationship(back_populates="account", passive_deletes=True)

    def __repr__(self) -> str:
        return f"Account(id={self.id!r}, account_number={self.account_number!r})"


class Instrument(Base):
    """A tradable security, identified by its ticker on an exchange."""

    __tablename__ = "instruments"
    __table_args__ = (
        UniqueConstraint("ticker", "exchange"),
        CheckConstraint("lot_size > 0", name="lot_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticker: Mapped[str] = mapped_column(String(12))
    exchange: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[InstrumentKind] = mapped_column(_pg_enum(InstrumentKind, "instrument_kind"))
    currency: Mapped[str] = mapped_column(String(3))
    lot_size: Mapped[int] = mapped_column(server_default=text("1"))
    # Kind-specific facts (sector for stocks, coupon and maturity for bonds) without a table each.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    # No ondelete here: an instrument with booked trades must not disappear (RESTRICT).
    operations: Mapped[list[Operation]] = relationship(back_populates="instrument")

    def __repr__(self) -> str:
        return f"Instrument(id={self.id!r}, ticker={self.ticker!r})"


class Operation(Base):
    """A trade: buying or selling a quantity of an instrument on an account."""

    __tablename__ = "operations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        # The account statement: an account's trades in time order.
        Index(None, "account_id", "executed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # CASCADE: closing out a client deletes their trade history with the accounts.
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    side: Mapped[OperationSide] = mapped_column(_pg_enum(OperationSide, "operation_side"))
    quantity: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    fee: Mapped[Decimal] = mapped_column(Numeric(14, 2), server_default=text("0"))
    executed_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    account: Mapped[Account] = relationship(back_populates="operations")
    instrument: Mapped[Instrument] = relationship(back_populates="operations")

    def __repr__(self) -> str:
        return f"Operation(id={self.id!r}, side={self.side!r}, quantity={self.quantity!r})"


class Payment(Base):
    """Money deposited to or withdrawn from an account."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # Idempotency key shared with the payment provider, so a retried callback is not booked twice.
    reference: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4, server_default=func.gen_random_uuid())
    direction: Mapped[PaymentDirection] = mapped_column(_pg_enum(PaymentDirection, "payment_direction"))
    status: Mapped[PaymentStatus] = mapped_column(
        _pg_enum(PaymentStatus, "payment_status"), server_default=text("'pending'")
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)

    account: Mapped[Account] = relationship(back_populates="payments")

    def __repr__(self) -> str:
        return f"Payment(id={self.id!r}, amount={self.amount!r}, status={self.status!r})"
