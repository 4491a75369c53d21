{#- Adapter-dispatched wrappers for the few engine-specific functions the project uses. Add a
    <adapter>__ variant here to port the project; models only call the dispatching macro. -#}

{#- Replace every match of a regular expression. -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'throughline')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
{% macro duckdb__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Cast that yields NULL where the value does not convert (a published 'N/A'), instead of failing the query.
    DuckDB and Spark (3.2+) both spell it try_cast; dbt's own safe_cast is a plain cast on DuckDB. -#}
{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast', 'throughline')(expr, type)) }}
{%- endmacro %}
{% macro default__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{#- One row per day from start_date to end_date inclusive, column named date_day (a DATE). -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'throughline')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__day_series(start_date, end_date) -%}
    select cast(d as date) as date_day
    from generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval '1 day') as t(d)
{%- endmacro %}
{% macro duckdb__day_series(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date),
        interval 1 day)) as date) as date_day
{%- endmacro %}

{#- Last non-null value of expr in the window frame (carry-forward). -#}
{% macro last_value_ignore_nulls(expr, partition_by, order_by) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'throughline')(expr, partition_by, order_by)) }}
{%- endmacro %}
{% macro default__last_value_ignore_nulls(expr, partition_by, order_by) -%}
    last_value({{ expr }} ignore nulls) over (partition by {{ partition_by }} order by {{ order_by }}
        rows between unbounded preceding and current row)
{%- endmacro %}

{#- ISO day of week, Monday = 1 .. Sunday = 7. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'throughline')(date_expr)) }}
{%- endmacro %}
{% macro default__iso_day_of_week(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}
{% macro duckdb__iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{#- Last day of the month containing date_expr. -#}
{% macro month_end(date_expr) -%}
    {{ return(adapter.dispatch('month_end', 'throughline')(date_expr)) }}
{%- endmacro %}
{% macro default__month_end(date_expr) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', date_expr))) }} as date)
{%- endmacro %}
{% macro duckdb__month_end(date_expr) -%}
    last_day(cast({{ date_expr }} as date))
{%- endmacro %}

{#- Text of one top-level field of a JSON object column (Harvest's nested references: client -> id). -#}
{% macro json_field(expr, field) -%}
    {{ return(adapter.dispatch('json_field', 'throughline')(expr, field)) }}
{%- endmacro %}
{% macro default__json_field(expr, field) -%}
    json_extract_path_text(cast({{ expr }} as {{ dbt.type_string() }}), '{{ field }}')
{%- endmacro %}
{% macro duckdb__json_field(expr, field) -%}
    json_extract_string({{ expr }}, '$.{{ field }}')
{%- endmacro %}
{% macro spark__json_field(expr, field) -%}
    get_json_object(cast({{ expr }} as string), '$.{{ field }}')
{%- endmacro %}

{#- DATE from a YYYYMMDD string (Harvest report periods). -#}
{% macro yyyymmdd_to_date(expr) -%}
    cast({{ dbt.concat(["substr(" ~ expr ~ ", 1, 4)", "'-'", "substr(" ~ expr ~ ", 5, 2)", "'-'",
        "substr(" ~ expr ~ ", 7, 2)"]) }} as date)
{%- endmacro %}

{#- Materialization of the incremental facts. DuckDB (and Delta/Iceberg tables) delete and insert by key;
    Spark's plain Parquet tables can neither delete nor merge, so on Spark the facts are rebuilt whole
    each night (same rows: the incremental filters only narrow what a night recomputes). A cluster on
    Delta Lake returns 'incremental' here and sets incremental_strategy='merge' (docs/scale-out.md). -#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'throughline')()) }}
{%- endmacro %}
{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}
{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- dbt.dateadd on Spark, overriding dbt-spark's: that one repeats its argument nine times (three
    assert_not_null guards of three calls each), so nested calls grow exponentially. B1's billing-run date
    (four levels) compiled to a 2 MB expression that Spark took ~30 s to plan at scale xs (docs/scale-out.md).
    timestampadd (Spark 3.3+) reads its argument once and, as DuckDB's date + interval does, returns a
    timestamp that keeps the time of day, clamps to the month's last day, and is null for null. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set units = {'day': 'DAY', 'week': 'WEEK', 'month': 'MONTH', 'quarter': 'QUARTER', 'year': 'YEAR',
        'hour': 'HOUR', 'minute': 'MINUTE', 'second': 'SECOND'} -%}
    {%- if datepart not in units -%}
        {{ exceptions.raise_compiler_error("dateadd: datepart '" ~ datepart ~ "' is not supported on Spark") }}
    {%- endif -%}
    timestampadd({{ units[datepart] }}, cast({{ interval }} as int), {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
    {#- Spark replaces every match (Java regex); a doubled quote '' (DuckDB's escape) becomes \', since
        Spark reads 'a''b' as two adjacent literals, 'ab' -#}
    regexp_replace({{ expr }}, '{{ pattern | replace("''", "\\'") }}', '{{ replacement }}')
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
{%- endmacro %}

{#- A string literal with its quotes: DuckDB doubles a quote inside it; Spark reads 'a''b' as 'ab'. -#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'throughline')(value)) }}
{%- endmacro %}
{% macro default__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}
{% macro spark__string_literal(value) -%}
    {#- the Spark target keeps backslashes literal (escapedStringLiterals), so a quote is chr(39) -#}
    {%- if "'" in value -%}
        ({{ "'" ~ (value | replace("'", "' || chr(39) || '")) ~ "'" }})
    {%- else -%}
        '{{ value }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    extract(dayofweek_iso from {{ date_expr }})
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expr, partition_by, order_by) -%}
    last_value({{ expr }}, true) over (partition by {{ partition_by }} order by {{ order_by }}
        rows between unbounded preceding and current row)
{%- endmacro %}

{#- a / b as a double quotient. DuckDB divides two decimals in double precision; Spark returns a decimal
    whose scale it cuts to 6 digits, so a ratio that is multiplied back into an amount (percent complete x
    contract value) would differ by cents. Spark divides the two as doubles, as DuckDB does. -#}
{% macro divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide', 'throughline')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__divide(numerator, denominator) -%}
    ({{ numerator }}) / ({{ denominator }})
{%- endmacro %}
{% macro spark__divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / cast({{ denominator }} as double)
{%- endmacro %}

{#- round() of a DOUBLE to `scale` decimals, the same on every engine: scale by 10^scale, round to a whole
    number (half away from zero), scale back. Each engine's own round(x, 2) differs at a half cent: DuckDB
    rounds the exact binary value (8525.00 x 1.0806 is stored just below 9212.115: .11), Spark the shortest
    decimal form half-up (.12). Scaled by 10^scale the product is the same double on both, and a whole-number
    round of a double agrees (a .5 fraction is exact), so both give 9212.12, what a person computes. Use it
    where a double (an amount times an FX rate, a detector statistic) is rounded; decimals round alike. -#}
{#- round(x, scale) half up on the decimal value a person reads, the same on every engine: x goes through the
    fixed-point amount type first. round() of a double does not: DuckDB rounds the binary value (401.815 is
    stored just below, so .81), Spark the shortest decimal form (.82). For a sum or product of decimals that
    the SQL types as a double (a case mixing decimal and double branches, a markup of a decimal amount, a
    share of counts times 100). Returns the amount type; cast the result where a column wants another. -#}
{% macro round_half_up(expr, scale=2) -%}
    round(cast({{ expr }} as {{ throughline.amount_type() }}), {{ scale }})
{%- endmacro %}

{% macro round_double(expr, scale=2) -%}
    {{ return(adapter.dispatch('round_double', 'throughline')(expr, scale)) }}
{%- endmacro %}
{% macro default__round_double(expr, scale=2) -%}
    (round(cast({{ expr }} as {{ throughline.ratio_type() }}) * {{ 10 ** scale }}.0) / {{ 10 ** scale }}.0)
{%- endmacro %}

{#- A 64-bit hash of several columns, for grouping on one number instead of many (a collision must be harmless
    where it is used: e.g. it only adds a candidate that an exact comparison then drops). -#}
{% macro row_hash(exprs) -%}
    {{ return(adapter.dispatch('row_hash', 'throughline')(exprs)) }}
{%- endmacro %}
{% macro default__row_hash(exprs) -%}
    {{ dbt.hash(dbt.concat(exprs)) }}
{%- endmacro %}
{% macro duckdb__row_hash(exprs) -%}
    hash({{ exprs | join(', ') }})
{%- endmacro %}
{% macro spark__row_hash(exprs) -%}
    xxhash64({{ exprs | join(', ') }})
{%- endmacro %}
