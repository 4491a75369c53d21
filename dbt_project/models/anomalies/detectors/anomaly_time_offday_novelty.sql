-- TIME_OFFDAY_NOVELTY: time on a weekend or a public holiday of the person's country by someone who has
-- not worked such a day before. An entry is novel when the person worked no weekend or holiday in the
-- anomaly_offday_lookback_days before it (ignoring the last anomaly_offday_recent_days, so a new habit
-- of a few weeks still shows) and worked at least anomaly_offday_min_history_days days in that lookback.
{%- set lookback = var('anomaly_offday_lookback_days') %}
{%- set recent = var('anomaly_offday_recent_days') %}
{%- set min_days = var('anomaly_offday_min_history_days') %}

-- Days worked per person (one group-by of the entries: a person's entries share its resource key), then the
-- entries of off days only. Both read fct_time_entries on their own: a CTE of every entry that both read
-- would be materialised whole (all entries, a dozen columns).
with worked_days as (
    select psa_resource_id, spent_date, max(resource_key) as resource_key
    from {{ ref('fct_time_entries') }}
    where hours > 0
    group by psa_resource_id, spent_date
),

holidays as (
    select country_code, holiday_date, max(holiday_name) as holiday_name
    from {{ throughline.psa_input('holidays') }}
    group by country_code, holiday_date
),

days as (
    select
        e.psa_resource_id, e.spent_date,
        case when d.is_weekend or h.holiday_date is not null then 1 else 0 end as is_offday,
        h.holiday_name
    from worked_days as e
    left join {{ ref('dim_resource') }} as r on r.resource_key = e.resource_key
    left join {{ ref('dim_date') }} as d on d.date_day = e.spent_date
    left join holidays as h on h.holiday_date = e.spent_date and h.country_code = r.country_code
),

offday_entries as (
    select
        te.time_entry_id, te.psa_resource_id, te.resource_key, te.project_key, te.client_key,
        te.legal_entity_key, te.spent_date, te.hours, te.transaction_currency_code,
        te.billable_amount_transaction, te.billable_amount_reporting, d.holiday_name
    from {{ ref('fct_time_entries') }} as te
    inner join days as d on d.psa_resource_id = te.psa_resource_id and d.spent_date = te.spent_date
    where te.hours > 0 and d.is_offday = 1
),

history as (
    select
        o.time_entry_id,
        count(distinct h.spent_date) as days_worked,
        sum(case when h.is_offday = 1 then 1 else 0 end) as offdays_worked
    from offday_entries as o
    inner join days as h
        on h.psa_resource_id = o.psa_resource_id
        and h.spent_date >= {{ dbt.dateadd('day', -lookback, 'o.spent_date') }}
        and h.spent_date < {{ dbt.dateadd('day', -recent, 'o.spent_date') }}
    group by o.time_entry_id
)

select
    {{ throughline.anomaly_columns(
        detector_id="'TIME_OFFDAY_NOVELTY'", source_system="'psa'", source_object="'time_entries'",
        record_key=throughline.recon_json([('id', 'o.time_entry_id', 'number')]),
        related_keys=throughline.recon_json([('resource_id', 'o.psa_resource_id', 'number'), ('spent_date', 'o.spent_date', 'string'), ('days_worked_before', 'h.days_worked', 'number')]),
        score='h.days_worked', threshold=min_days, client_key='o.client_key', project_key='o.project_key',
        resource_key='o.resource_key', legal_entity_key='o.legal_entity_key',
        currency_code='o.transaction_currency_code', amount_at_risk='o.billable_amount_transaction',
        amount_at_risk_reporting='o.billable_amount_reporting', event_date='o.spent_date',
        reason="cast(o.hours as " ~ dbt.type_string() ~ ") || ' h on ' || coalesce(o.holiday_name, 'a weekend') || ' from a person with no weekend or holiday time in ' || cast(h.days_worked as " ~ dbt.type_string() ~ ") || ' days worked before'") }}
from offday_entries as o
inner join history as h on h.time_entry_id = o.time_entry_id
where h.offdays_worked = 0 and h.days_worked >= {{ min_days }}
