{#- Time entries summed per month (fct_time_entries_monthly), and how the month-grained KPIs read them.

    The KPIs that sum time per month (engagement margin, utilization) grouped every entry of the history each
    night: the time fact is the largest table, and one new day changed a month or two of it. The monthly sum
    holds one row per month and every column those KPIs filter or group the time by, and is rebuilt only on
    the months whose entries changed since its last build (docs/performance.md, item 41). -#}

{#- The grain of the monthly sum: every column a KPI filters or groups the time by. Its measures are exact
    decimal sums (hours x rate has two decimals times two), so summing a month then its groups gives the
    cents summing the entries would. -#}
{% macro time_entry_month_grain() -%}
    {{ return(['psa_resource_id', 'resource_key', 'project_key', 'psa_role_id', 'time_entry_status', 'work_type',
        'is_billable', 'is_approved', 'transaction_currency_code', 'cost_currency_code']) }}
{%- endmacro %}

{#- The entries of `entries` (the time fact, or rows shaped like it) that satisfy `where` (a condition on
    the entries, `{e}` standing for their alias), summed per month and grain. The standard (rate-card) value of billable time needs the day: each billable entry is valued
    at the rate card of its role and bill currency effective on the day worked (latest effective_from wins
    when rows overlap), matched once per role, currency and day; billable hours no rate card covers are
    summed apart. rated=false leaves both NULL and reads no rate card (a KPI that only counts hours). -#}
{% macro time_entries_summed_by_month(entries, where='1 = 1', rated=true) -%}
    {%- set grain = throughline.time_entry_month_grain() -%}
    {%- set amount = throughline.amount_type() -%}
    select
        cast({{ dbt.date_trunc('month', 'e.spent_date') }} as date) as month_start_date,
        {%- for column in grain %}
        e.{{ column }},
        {%- endfor %}
        count(*) as entry_count,
        cast(sum(e.hours) as decimal(38, 2)) as hours,
        cast(sum(e.billable_hours) as decimal(38, 2)) as billable_hours,
        {%- if rated %}
        cast(sum(case when e.is_billable and m.bill_rate is null then e.billable_hours else 0 end)
            as decimal(38, 2)) as billable_hours_unrated,
        cast(sum(e.billable_hours * m.bill_rate) as {{ amount }}) as standard_value_amount,
        {%- else %}
        cast(null as decimal(38, 2)) as billable_hours_unrated,
        cast(null as {{ amount }}) as standard_value_amount,
        {%- endif %}
        cast(sum(e.cost_amount_cost_currency) as decimal(38, 4)) as cost_amount_cost_currency
    from {{ entries }} as e
    {%- if rated %}
    left join (
        select
            d.psa_role_id,
            d.transaction_currency_code,
            d.spent_date,
            rc.bill_rate,
            row_number() over (
                partition by d.psa_role_id, d.transaction_currency_code, d.spent_date
                order by rc.effective_from desc, rc.rate_card_id desc
            ) as match_rank
        from (
            select distinct b.psa_role_id, b.transaction_currency_code, b.spent_date
            from {{ entries }} as b
            where b.is_billable and {{ where | replace('{e}', 'b') }}
        ) as d
        inner join {{ throughline.psa_input('rate_cards') }} as rc
            on d.psa_role_id = rc.role_id
            and d.transaction_currency_code = rc.currency_code
            and d.spent_date >= rc.effective_from
            and (rc.effective_to is null or d.spent_date <= rc.effective_to)
    ) as m
        on e.is_billable
        and m.match_rank = 1
        and e.psa_role_id = m.psa_role_id
        and e.transaction_currency_code = m.transaction_currency_code
        and e.spent_date = m.spent_date
    {%- endif %}
    where {{ where | replace('{e}', 'e') }}
    group by
        cast({{ dbt.date_trunc('month', 'e.spent_date') }} as date),
        {%- for column in grain %}
        e.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}

{#- The time entries summed per month up to `as_of_date` (a SQL date expression): the months before its
    month from fct_time_entries_monthly, its month (up to the day) from the time fact (rated: with the
    standard value, see time_entries_summed_by_month). With whole_as_of_month, the caller vouches that
    every entry it keeps is dated on or before the as-of date (its as-of date is the latest date of the
    entries it keeps), so the as-of month too comes from the monthly sum, whole. A unit test gives the
    entries only (it has no `this`): every month is summed from them, as the monthly sum would be. -#}
{% macro time_entry_months_through(as_of_date, rated=true, whole_as_of_month=false) -%}
    {%- set monthly = ref('fct_time_entries_monthly') -%}
    {%- set entries = ref('fct_time_entries') -%}
    {%- set as_of_month = 'cast(' ~ dbt.date_trunc('month', as_of_date) ~ ' as date)' -%}
    {%- if this is none -%}
        {{ throughline.time_entries_summed_by_month(entries, '{e}.spent_date <= ' ~ as_of_date, rated) }}
    {%- else -%}
        select
            month_start_date,
            {%- for column in throughline.time_entry_month_grain() %}
            {{ column }},
            {%- endfor %}
            entry_count, hours, billable_hours, billable_hours_unrated, standard_value_amount,
            cost_amount_cost_currency
        from {{ monthly }}
        {%- if whole_as_of_month %}
        where month_start_date <= {{ as_of_month }}
        {%- else %}
        where month_start_date < {{ as_of_month }}
        union all
        {{ throughline.time_entries_summed_by_month(entries,
            '{e}.spent_date >= ' ~ as_of_month ~ ' and {e}.spent_date <= ' ~ as_of_date, rated) }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- What the rows were summed with besides the entries: the rate cards, as their newest load and count (a
    changed, added or deleted rate card, or a reload, changes one of them). -#}
{% macro time_entry_months_rate_cards() -%}
    (select {{ dbt.concat([
        "coalesce(cast(max(_loaded_at) as " ~ dbt.type_string() ~ "), '')", "'|'",
        "cast(count(*) as " ~ dbt.type_string() ~ ")"]) }}
    from {{ throughline.psa_input('rate_cards') }})
{%- endmacro %}

{#- The months fct_time_entries_monthly sums tonight: a list of month starts ('YYYY-MM-DD'), or none for
    every month (a build from empty, a unit test, a PSA without the raw rate cards' load times (a mapped PSA
    such as Harvest), or rate cards that differ from those the rows were summed with).
    A month is summed again when the time fact holds another count of its entries than the sum holds (an
    entry deleted, or moved to another month), or holds an entry written since the sum's last build (new,
    changed, or re-read because its project, person or rates changed: the fact re-stamps such rows). The
    fact's _built_at is the dbt run's start, so a row the fact wrote in an earlier run than the sum's last
    build is already in it. -#}
{% macro time_entry_months_to_sum() -%}
    {%- if this is none or not (execute and is_incremental()) or throughline.source_system('psa') != 'psa' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set held = run_query('select count(*), count(*) filter (where rate_cards_loaded_through is distinct from '
        ~ throughline.time_entry_months_rate_cards() ~ ') from ' ~ this).rows[0] -%}
    {%- if held[0] == 0 or held[1] > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set month = 'cast(' ~ dbt.date_trunc('month', 'spent_date') ~ ' as date)' -%}
    {%- set touched -%}
        with held as (
            select month_start_date, sum(entry_count) as entries
            from {{ this }}
            group by month_start_date
        ),

        live as (
            select {{ month }} as month_start_date, count(*) as entries, max(_built_at) as built_at
            from {{ ref('fct_time_entries') }}
            group by {{ month }}
        )

        select cast(coalesce(l.month_start_date, h.month_start_date) as {{ dbt.type_string() }})
        from live as l
        full outer join held as h on l.month_start_date = h.month_start_date
        where l.entries is distinct from h.entries
            or l.built_at > (select max(_built_at) from {{ this }})
        order by 1
    {%- endset -%}
    {{ return(run_query(touched).columns[0].values() | list) }}
{%- endmacro %}

{#- Pre-hook of fct_time_entries_monthly: drop the months summed again tonight (every month when all are),
    so that a month left with no entry leaves no row. -#}
{% macro time_entry_months_reset() -%}
    {%- if this is not none and execute and is_incremental() -%}
        {%- set months = throughline.time_entry_months_to_sum() -%}
        {%- if months is none -%}
            delete from {{ this }}
        {%- elif months -%}
            delete from {{ this }} where {{ throughline.in_months('month_start_date', months) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Rows of `date_column` in the months starting on `months` ('YYYY-MM-DD' strings): one date range per month,
    which DuckDB checks against each row group's minimum and maximum date before reading it. -#}
{% macro in_months(date_column, months) -%}
    ({% for month in months -%}
        ({{ date_column }} >= cast('{{ month }}' as date)
            and {{ date_column }} < {{ dbt.dateadd('month', 1, "cast('" ~ month ~ "' as date)") }})
        {{- ' or ' if not loop.last }}
    {%- endfor %})
{%- endmacro %}
