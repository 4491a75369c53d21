-- The lifecycle of every anomaly signal across nights, one row per signal_id (detector + record key), by
-- the same rules as marts.recon_break_history: new (first night), open (seen again), resolved (not raised
-- tonight; the row stays), reopened (raised again after resolving). Incremental: tonight's signals
-- full-outer-joined with the history so far; re-running a night changes nothing.
{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='signal_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with tonight as (
    select max(extract_date) as night
    from {{ ref('stg_raw__extract_nights') }}
    where source_system <> 'controller'
),

found as (
    select signal_id, detector_id, record_key, score, amount_at_risk_reporting, detected_on
    from {{ ref('anomaly_signals') }}
),

{% if is_incremental() %}
known as (
    select * from {{ this }}
),
{% else %}
known as (
    select
        cast(null as {{ dbt.type_string() }}) as signal_id,
        cast(null as {{ dbt.type_string() }}) as detector_id,
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ throughline.rate_type() }}) as last_score,
        cast(null as {{ throughline.amount_type() }}) as amount_at_risk_reporting,
        cast(null as date) as first_seen_on,
        cast(null as date) as last_seen_on,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as date) as resolved_on,
        cast(null as {{ dbt.type_bigint() }}) as times_reopened
    where 1 = 0
),
{% endif %}

joined as (
    select
        coalesce(found.signal_id, known.signal_id) as any_signal_id,
        found.signal_id is not null as is_found,
        known.last_seen_on is not null and found.detected_on is not null
            and known.last_seen_on >= found.detected_on as is_rerun,
        found.detector_id as f_detector_id, found.record_key as f_record_key, found.score as f_score,
        found.amount_at_risk_reporting as f_amount_at_risk_reporting, found.detected_on,
        known.*
    from found
    full outer join known on known.signal_id = found.signal_id
),

lifecycle as (
    select
        joined.*,
        case
            when not is_found and status = 'resolved' then 'resolved'
            when not is_found and (select night from tonight) is null then status
            when not is_found then 'resolved'
            when status is null then 'new'
            when status = 'resolved' then 'reopened'
            when is_rerun then status
            else 'open'
        end as next_status
    from joined
)

select
    any_signal_id as signal_id,
    coalesce(f_detector_id, detector_id) as detector_id,
    coalesce(f_record_key, record_key) as record_key,
    case when is_found then f_score else last_score end as last_score,
    case when is_found then f_amount_at_risk_reporting else amount_at_risk_reporting end
        as amount_at_risk_reporting,
    coalesce(first_seen_on, detected_on) as first_seen_on,
    case when is_found and not is_rerun then detected_on else coalesce(last_seen_on, detected_on) end
        as last_seen_on,
    next_status as status,
    case
        when next_status = 'resolved' and status = 'resolved' then resolved_on
        when next_status = 'resolved' then (select night from tonight)
    end as resolved_on,
    coalesce(times_reopened, 0) + case when next_status = 'reopened' and status = 'resolved' then 1 else 0 end
        as times_reopened
from lifecycle
