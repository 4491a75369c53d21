"""The fx_rates contract (ingestion/contracts/fx_rates.yml) through the ordinary loader: a firm's long daily
rates file loads, a bad row is quarantined naming its file, line and column, and the ECB history file loads
exactly as the ECB publishes it (wide, ``N/A`` cells, a trailing comma on every line)."""

from __future__ import annotations

import re
from pathlib import Path

from landing_files import csv_text, write_extract

from ingestion.contract import load_contract

ROOT = Path(__file__).resolve().parents[2]
DAILY = "rate_date,base_currency,quote_currency,rate,updated_at,rate_source"
#: The head of eurofxref-hist.csv as the ECB publishes it (every line ends in a comma; N/A = no rate).
ECB = (
    "Date,USD,JPY,BGN,CYP,CZK,DKK,EEK,GBP,HUF,LTL,LVL,MTL,PLN,ROL,RON,SEK,SIT,SKK,CHF,ISK,NOK,HRK,RUB,TRL,TRY,"
    "AUD,BRL,CAD,CNY,HKD,IDR,ILS,INR,KRW,MXN,MYR,NZD,PHP,SGD,THB,ZAR,\n"
    "2025-01-17,1.0283,160.79,1.9558,N/A,25.165,7.4605,N/A,0.84293,411.58,N/A,N/A,N/A,4.2203,N/A,4.9767,11.5005,"
    "N/A,N/A,0.9389,146.5,11.7075,N/A,N/A,N/A,36.3395,1.6571,6.2371,1.4866,7.5426,8.0076,16863.32,3.6883,"
    "89.0735,1502.06,21.3894,4.6323,1.8335,60.157,1.4054,35.487,19.3566,\n"
    "2025-01-16,1.0298,160.47,1.9558,N/A,25.19,7.4608,N/A,0.84235,411.95,N/A,N/A,N/A,4.2333,N/A,4.9767,11.507,"
    "N/A,N/A,0.9378,146.1,11.723,N/A,N/A,N/A,36.4283,1.6563,6.2304,1.4832,7.5484,8.0191,16848.94,3.6687,"
    "89.1385,1500.59,21.3136,4.6378,1.8339,60.254,1.4063,35.472,19.3311,\n"
)


def test_daily_rates_load_and_a_bad_row_is_named(landing: Path, load_only) -> None:
    write_extract(
        landing,
        "fx_rates",
        "2025-01-17",
        {
            "daily_rates.csv": csv_text(
                DAILY,
                "2025-01-16,EUR,USD,1.0298,,ECB",
                "2025-01-16,GBP,USD,1.2225,2025-01-16 17:00:00,treasury",
                "2025-01-17,EUR,USD,one point two,,treasury",  # not a number
                "2025-01-17,EUR,,1.0283,,treasury",  # no quote currency
            )
        },
    )
    loaded = load_only("fx_rates.daily_rates")
    r = loaded.by_file("daily_rates.csv")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded_with_rejects", 2, 2)
    rejects = loaded.sql('select file, "row", "column", rule from raw.rejects order by "row"')
    assert rejects == [
        ("fx_rates/2025-01-17/daily_rates.csv", 4, "rate", "wrong_type"),
        ("fx_rates/2025-01-17/daily_rates.csv", 5, "quote_currency", "required_missing"),
    ]
    rows = loaded.sql(
        "select rate_date::varchar, base_currency, quote_currency, rate"
        " from raw_fx_rates.daily_rates order by 2"
    )
    assert rows == [("2025-01-16", "EUR", "USD", 1.0298), ("2025-01-16", "GBP", "USD", 1.2225)]


def test_from_and_to_headers_name_base_and_quote(landing: Path, load_only) -> None:
    write_extract(
        landing,
        "fx_rates",
        "2025-01-17",
        {"daily_rates.csv": csv_text("rate_date,from_currency,to_currency,rate", "2025-01-16,EUR,USD,1.03")},
    )
    loaded = load_only("fx_rates.daily_rates")
    assert loaded.by_file("daily_rates.csv").rows_loaded == 1
    pair = loaded.sql("select base_currency, quote_currency from raw_fx_rates.daily_rates")
    assert pair == [("EUR", "USD")]


def test_ecb_history_file_loads_as_published(landing: Path, load_only) -> None:
    write_extract(landing, "fx_rates", "2025-01-17", {"eurofxref-hist.csv": ECB})
    loaded = load_only("fx_rates.ecb_reference_rates")
    r = loaded.by_file("eurofxref-hist.csv")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 0), r.message
    rows = loaded.sql(
        'select "date"::varchar, usd, gbp, cyp from raw_fx_rates.ecb_reference_rates order by 1'
    )
    assert rows == [("2025-01-16", "1.0298", "0.84235", "N/A"), ("2025-01-17", "1.0283", "0.84293", "N/A")]


def test_staging_unpivots_every_ecb_currency_of_the_contract() -> None:
    """The ECB staging model's Jinja list and the contract's currency columns name the same currencies."""
    sql = (ROOT / "dbt_project/models/staging/fx_rates/stg_fx_rates__ecb_reference_rates.sql").read_text()
    listed = re.findall(r"'([a-z]{3})'", sql.split("ecb_currencies = [", 1)[1].split("]", 1)[0])
    columns = load_contract("fx_rates").object("ecb_reference_rates").column_names
    assert listed == [c for c in columns if c != "date"]
    assert listed == [c.lower() for c in ECB.split("\n", 1)[0].split(",")[1:-1]]
