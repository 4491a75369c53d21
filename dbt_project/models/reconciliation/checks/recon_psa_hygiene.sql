-- PSA data hygiene (reference §8.6): time entries that break the PSA's own rules, missing timesheets,
-- capacity and rate-card gaps. One CTE per check; each check is declared in _checks__models.yml.
{%- set reporting = var('reporting_currency') %}

{#- The time entries every check reads, as a subquery each check scans on its own rather than a CTE: the
    database then reads only the columns and rows the check needs. Ten checks over one materialised CTE of
    every entry spilled ~30 GB at scale xl (docs/performance.md). #}
{%- set entries -%}
    (select
        te.time_entry_id,
        te.psa_resource_id,
        te.psa_project_id,
        te.psa_role_id,
        te.spent_date,
        te.hours,
        te.is_billable,
        te.work_type,
        te.bill_rate,
        te.transaction_currency_code,
        te.client_key,
        te.project_key,
        te.legal_entity_key,
        abs(te.hours * coalesce(te.bill_rate, 0)) as amount_at_stake,
        abs(te.hours * coalesce(te.bill_rate, 0) * te.fx_rate_to_reporting) as amount_at_stake_reporting
    from {{ ref('fct_time_entries') }} as te)
{%- endset %}

with projects as (
    select project_id, project_status, end_date, billing_type, coalesce(is_billable, false) as is_billable
    from {{ throughline.psa_input('projects') }}
),

resources as (
    select resource_id, termination_date, weekly_capacity_hours, is_active, modified_at, legal_entity_code
    from {{ throughline.psa_input('resources') }}
),

time_on_closed_project as (
    select e.*, 'PSA_TIME_ON_CLOSED_PROJECT' as check_id,
        {{ throughline.recon_json([('project_id', 'e.psa_project_id', 'number'), ('end_date', 'p.end_date', 'string'), ('spent_date', 'e.spent_date', 'string')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    inner join projects as p on p.project_id = e.psa_project_id
    where p.project_status = 'closed' and e.spent_date > p.end_date
),

time_after_termination as (
    select e.*, 'PSA_TIME_TERMINATED_RESOURCE' as check_id,
        {{ throughline.recon_json([('resource_id', 'e.psa_resource_id', 'number'), ('termination_date', 'r.termination_date', 'string'), ('spent_date', 'e.spent_date', 'string')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    inner join resources as r on r.resource_id = e.psa_resource_id
    where e.spent_date > r.termination_date
),

-- The checks decided within one resource-day (over the daily maximum, duplicates) are flagged by
-- int_time_entry_days_checked, which re-checks only the days a night touched; the fact gives the flagged
-- entries' columns.
over_daily_max as (
    select e.*,
        'PSA_OVER_DAILY_MAX' as check_id,
        {{ throughline.recon_json([('resource_id', 'e.psa_resource_id', 'number'), ('spent_date', 'e.spent_date', 'string'), ('day_total', 'd.day_hours', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ ref('int_time_entry_days_checked') }} as d
    inner join {{ entries }} as e on e.time_entry_id = d.time_entry_id
    where d.check_id = 'PSA_OVER_DAILY_MAX'
),

-- The person-project pairs staffed in the PSA, once each: the entries join them as a plain hash join (a
-- correlated not-exists materialised every entry for the database's duplicate-eliminated join).
assigned_pairs as (
    select distinct project_id, resource_id
    from {{ throughline.psa_input('assignments') }}
),

time_without_assignment as (
    select e.*, 'PSA_TIME_WITHOUT_ASSIGNMENT' as check_id,
        {{ throughline.recon_json([('resource_id', 'e.psa_resource_id', 'number'), ('project_id', 'e.psa_project_id', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    inner join projects as p on p.project_id = e.psa_project_id
    left join assigned_pairs as a on a.project_id = e.psa_project_id and a.resource_id = e.psa_resource_id
    where p.is_billable and a.project_id is null
),

duplicate_time as (
    select e.*,
        'PSA_DUPLICATE_TIME' as check_id,
        {{ throughline.recon_json([('duplicate_of', 'd.original_time_entry_id', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ ref('int_time_entry_days_checked') }} as d
    inner join {{ entries }} as e on e.time_entry_id = d.time_entry_id
    where d.check_id = 'PSA_DUPLICATE_TIME'
),

negative_hours as (
    select e.*, 'PSA_NEGATIVE_HOURS' as check_id,
        {{ throughline.recon_json([('hours', 'e.hours', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    where e.hours < 0
),

billable_on_nonbillable as (
    select e.*, 'PSA_BILLABLE_ON_NONBILLABLE' as check_id,
        {{ throughline.recon_json([('project_id', 'e.psa_project_id', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    inner join projects as p on p.project_id = e.psa_project_id
    where coalesce(e.is_billable, false) and (not p.is_billable or p.billing_type = 'non_billable')
),

nonbillable_on_billable as (
    select e.*, 'PSA_NONBILLABLE_ON_BILLABLE' as check_id,
        {{ throughline.recon_json([('project_id', 'e.psa_project_id', 'number')]) }} as related_keys,
        e.spent_date as event_date
    from {{ entries }} as e
    inner join projects as p on p.project_id = e.psa_project_id
    where not coalesce(e.is_billable, false)
        and e.work_type in ({{ throughline.string_list(var('recon_psa_billable_work_types')) }})
        and p.is_billable
        and p.billing_type in ({{ throughline.string_list(var('recon_psa_hourly_billing_types')) }})
),

time_entry_breaks as (
    select * from time_on_closed_project
    union all select * from time_after_termination
    union all select * from over_daily_max
    union all select * from time_without_assignment
    union all select * from duplicate_time
    union all select * from negative_hours
    union all select * from billable_on_nonbillable
    union all select * from nonbillable_on_billable
),

-- Person-weeks (Monday to Sunday) inside the capacity calendar with working capacity but no time entry and no
-- time-off record, judged only once the week is past its grace period. The week's conditions on time and time
-- off are tested on its calendar days first (a not-exists; as a left join DuckDB built its hash table on the
-- days, three times slower), and only the days left, of weeks without time, are grouped into weeks: grouping
-- every calendar day (9 M at scale xl, 1.3 M person-weeks) was the check's costliest step
-- (docs/performance.md, item 70).
weeks_with_time as (
    select distinct psa_resource_id, cast({{ dbt.date_trunc('week', 'spent_date') }} as date) as week_start
    from {{ entries }} as e
),

weeks_with_time_off as (
    select distinct resource_id as psa_resource_id,
        cast({{ dbt.date_trunc('week', 'off_date') }} as date) as week_start
    from {{ throughline.psa_input('time_off') }}
),

calendar_days as (
    select
        d.psa_resource_id,
        cast({{ dbt.date_trunc('week', 'd.calendar_date') }} as date) as week_start,
        d.net_capacity_hours,
        d.legal_entity_code
    from {{ ref('int_resource_days_calendared') }} as d
),

days_of_weeks_without_time as (
    select d.*
    from calendar_days as d
    where {{ dbt.dateadd('day', 6 + var('recon_psa_timesheet_grace_days'), 'd.week_start') }}
            < {{ throughline.recon_detected_on('psa') }}
        and not exists (select 1 from weeks_with_time as t
            where t.psa_resource_id = d.psa_resource_id and t.week_start = d.week_start)
        and not exists (select 1 from weeks_with_time_off as o
            where o.psa_resource_id = d.psa_resource_id and o.week_start = d.week_start)
),

calendar_weeks as (
    select
        psa_resource_id,
        week_start,
        count(*) as calendar_days,
        sum(net_capacity_hours) as net_capacity_hours,
        max(legal_entity_code) as legal_entity_code
    from days_of_weeks_without_time
    group by 1, 2
),

missing_timesheets as (
    select w.psa_resource_id, w.week_start, w.net_capacity_hours,
        cast({{ dbt.dateadd('day', 6, 'w.week_start') }} as date) as week_end,
        le.legal_entity_key
    from calendar_weeks as w
    left join {{ ref('dim_legal_entity') }} as le on le.legal_entity_code = w.legal_entity_code
    where w.calendar_days = 7 and w.net_capacity_hours > 0
),

capacity_gaps as (
    select r.*
    from resources as r
    where coalesce(r.weekly_capacity_hours, 0) <= 0
),

-- Role and currency pairs that billable time uses on a day no rate-card rate covers. The billable entries are
-- summed per role, currency and day first, and only those days are matched with the rate cards' ranges.
billable_days as (
    select psa_role_id, transaction_currency_code, spent_date, count(*) as time_entries,
        sum(amount_at_stake) as amount_at_stake, sum(amount_at_stake_reporting) as amount_at_stake_reporting
    from {{ entries }} as e
    where coalesce(e.is_billable, false)
    group by 1, 2, 3
),

uncovered_days as (
    select d.*
    from billable_days as d
    where not exists (
        select 1 from {{ ref('int_rate_cards_dated') }} as rc
        where rc.role_id = d.psa_role_id and rc.currency_code = d.transaction_currency_code
            and (rc.valid_from is null or d.spent_date >= rc.valid_from)
            and (rc.valid_to is null or d.spent_date <= rc.valid_to)
    )
),

rate_card_gaps as (
    select psa_role_id, transaction_currency_code as currency_code, sum(time_entries) as time_entries,
        min(spent_date) as first_spent_date, sum(amount_at_stake) as amount_at_stake,
        sum(amount_at_stake_reporting) as amount_at_stake_reporting
    from uncovered_days
    group by 1, 2
),

-- Project-periods whose hours in the PSA's own time report differ from the sum of its detailed entries over
-- the same days (int_psa_reported_time_totals; only PSAs that export a report, e.g. Harvest).
report_mismatches as (
    select
        r.*,
        r.reported_hours - r.detail_hours as hours_difference,
        abs(r.reported_billable_amount - r.detail_billable_amount) as amount_at_stake,
        case when r.currency_code = '{{ reporting }}'
            then abs(r.reported_billable_amount - r.detail_billable_amount) end as amount_at_stake_reporting
    from {{ ref('int_psa_reported_time_totals') }} as r
    where abs(r.reported_hours - r.detail_hours) > {{ var('recon_psa_report_hours_tolerance') }}
)

select
    {{ throughline.recon_columns(
        check_id='b.check_id', source_system="'psa'", source_object="'time_entries'",
        record_key=throughline.recon_json([('id', 'b.time_entry_id', 'number')]),
        related_keys='b.related_keys', client_key='b.client_key', project_key='b.project_key',
        legal_entity_key='b.legal_entity_key', currency_code='b.transaction_currency_code',
        amount_at_risk='b.amount_at_stake', amount_at_risk_reporting='b.amount_at_stake_reporting',
        event_date='b.event_date') }}
from time_entry_breaks as b

union all

select
    {{ throughline.recon_columns(
        check_id="'PSA_MISSING_TIMESHEET'", source_system="'psa'", source_object="'time_entries'",
        record_key=throughline.recon_json([('resource_id', 'w.psa_resource_id', 'number'), ('week_start', 'w.week_start', 'string')]),
        related_keys=throughline.recon_json([('capacity_hours', 'w.net_capacity_hours', 'number')]),
        legal_entity_key='w.legal_entity_key', event_date='w.week_end') }}
from missing_timesheets as w

union all

select
    {{ throughline.recon_columns(
        check_id="'PSA_CAPACITY_GAP'", source_system="'psa'", source_object="'resources'",
        record_key=throughline.recon_json([('id', 'c.resource_id', 'number')]),
        related_keys=throughline.recon_json([('weekly_capacity_hours', 'c.weekly_capacity_hours', 'number')]),
        legal_entity_key='le.legal_entity_key', event_date=dbt.cast('c.modified_at', 'date')) }}
from capacity_gaps as c
left join {{ ref('dim_legal_entity') }} as le on le.legal_entity_code = c.legal_entity_code

union all

select
    {{ throughline.recon_columns(
        check_id="'PSA_RATE_CARD_GAP'", source_system="'psa'", source_object="'rate_cards'",
        record_key=throughline.recon_json([('role_id', 'g.psa_role_id', 'number'), ('currency', 'g.currency_code', 'string')]),
        related_keys=throughline.recon_json([('time_entries', 'g.time_entries', 'number'), ('first_spent_date', 'g.first_spent_date', 'string')]),
        currency_code='g.currency_code', amount_at_risk='g.amount_at_stake',
        amount_at_risk_reporting='g.amount_at_stake_reporting', event_date='g.first_spent_date') }}
from rate_card_gaps as g

union all

select
    {{ throughline.recon_columns(
        check_id="'PSA_REPORT_HOURS_MISMATCH'", source_system='m.source_system', source_object='m.source_object',
        record_key=throughline.recon_json([('project_id', 'm.project_id', 'number'), ('from', 'm.period_start', 'string'), ('to', 'm.period_end', 'string')]),
        related_keys=throughline.recon_json([('reported_hours', 'm.reported_hours', 'number'), ('detail_hours', 'm.detail_hours', 'number'), ('detail_entries', 'm.detail_entries', 'number')]),
        project_key='p.project_key', client_key='p.client_key', legal_entity_key='p.legal_entity_key',
        currency_code='m.currency_code', expected_amount='m.reported_hours', actual_amount='m.detail_hours',
        difference_amount='m.hours_difference', amount_at_risk='m.amount_at_stake',
        amount_at_risk_reporting='m.amount_at_stake_reporting', event_date='m.period_end',
        detected_on=throughline.recon_detected_on('psa')) }}
from report_mismatches as m
left join {{ ref('dim_project') }} as p on p.project_key = m.project_id
