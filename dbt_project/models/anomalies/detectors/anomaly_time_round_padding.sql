-- TIME_ROUND_PADDING: a person whose recent client time is in whole hours far more often than the firm's.
-- Over the last anomaly_padding_window_days before tonight, the share of the person's client entries
-- that are whole hours against the firm's share over all client entries (p0), as a binomial z-score:
-- (share - p0) / sqrt(p0 (1 - p0) / n). Needs anomaly_padding_min_entries entries in the window.
{%- set window_days = var('anomaly_padding_window_days') %}
{%- set min_entries = var('anomaly_padding_min_entries') %}
{%- set z_min = var('anomaly_padding_z') %}

with tonight as (
    select {{ throughline.recon_detected_on('psa') }} as night
),

client_time as (
    select
        te.psa_resource_id, te.resource_key, te.legal_entity_key, te.spent_date, te.hours,
        te.bill_rate, te.fx_rate_to_reporting,
        case when te.hours = floor(te.hours) then 1 else 0 end as is_whole
    from {{ ref('fct_time_entries') }} as te
    where te.work_type = 'client' and te.hours > 0
),

firm as (
    select avg(cast(is_whole as {{ throughline.rate_type() }})) as p0 from client_time
),

recent as (
    select
        c.psa_resource_id,
        max(c.resource_key) as resource_key,
        max(c.legal_entity_key) as legal_entity_key,
        max(c.spent_date) as last_spent_date,
        count(*) as n_entries,
        sum(c.is_whole) as n_whole,
        avg(coalesce(c.bill_rate, 0) * coalesce(c.fx_rate_to_reporting, 1)) as avg_rate_reporting
    from client_time as c
    cross join tonight as t
    where c.spent_date > {{ dbt.dateadd('day', -window_days, 't.night') }} and c.spent_date <= t.night
    group by c.psa_resource_id
),

scored as (
    select
        r.*,
        f.p0,
        {{ throughline.divide('r.n_whole', 'r.n_entries') }} as whole_share,
        -- in double precision on every engine (macro divide): Spark's decimal quotient keeps 6 digits, and
        -- p0 (1 - p0) / n ~ 0.0017 then moved z in its third decimal (parity run at s, 2026-12-04)
        {{ throughline.divide(
            throughline.divide('r.n_whole', 'r.n_entries') ~ ' - f.p0',
            'sqrt(' ~ throughline.divide('f.p0 * (1 - f.p0)', 'r.n_entries') ~ ')'
        ) }} as z
    from recent as r
    cross join firm as f
    where r.n_entries >= {{ min_entries }} and f.p0 > 0 and f.p0 < 1
)

select
    {{ throughline.anomaly_columns(
        detector_id="'TIME_ROUND_PADDING'", source_system="'psa'", source_object="'resources'",
        record_key=throughline.recon_json([('resource_id', 's.psa_resource_id', 'number')]),
        related_keys=throughline.recon_json([('entries', 's.n_entries', 'number'), ('whole_hour_entries', 's.n_whole', 'number'), ('firm_share', 'round(s.p0, 3)', 'number')]),
        score='s.z', threshold=z_min, resource_key='s.resource_key', legal_entity_key='s.legal_entity_key',
        currency_code="'" ~ var('reporting_currency') ~ "'",
        amount_at_risk='(s.n_whole - s.p0 * s.n_entries) * 0.5 * s.avg_rate_reporting',
        amount_at_risk_reporting='(s.n_whole - s.p0 * s.n_entries) * 0.5 * s.avg_rate_reporting',
        event_date='s.last_spent_date',
        reason="cast(" ~ throughline.round_half_up("100 * s.whole_share", 0) ~ " as " ~ dbt.type_int() ~ ") || '% of ' || cast(s.n_entries as " ~ dbt.type_string() ~ ") || ' client entries in the last " ~ window_days ~ " days are whole hours (firm: ' || cast(" ~ throughline.round_half_up("100 * s.p0", 0) ~ " as " ~ dbt.type_int() ~ ") || '%); z ' || " ~ throughline.anomaly_num('s.z')) }}
from scored as s
where s.z >= {{ z_min }}
