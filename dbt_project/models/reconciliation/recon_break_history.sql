-- The lifecycle of every reconciliation break across nights, one row per break_id: when it was first and
-- last seen, whether it is new, open, resolved or reopened, and its last amount at risk. Incremental: each
-- night full-outer-joins tonight's marts.recon_breaks with the history so far ({{ this }}); a break that is
-- no longer found resolves on the night it disappears, a resolved break found again reopens, nothing is
-- deleted. Tonight is the newest extract night of the source systems (stg_raw__extract_nights), so a
-- night on which every break was fixed still resolves them. Re-running a night changes nothing: a break
-- whose last_seen_on is already its detected_on keeps its status, a resolved one stays resolved.
{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='break_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with tonight as (
    select max(extract_date) as night
    from {{ ref('stg_raw__extract_nights') }}
    where source_system <> 'controller'
),

found as (
    select * from {{ ref('recon_breaks') }}
),

{% if is_incremental() %}
known as (
    select * from {{ this }}
),
{% else %}
known as (
    select
        cast(null as {{ dbt.type_string() }}) as break_id,
        cast(null as {{ dbt.type_string() }}) as check_id,
        cast(null as {{ dbt.type_string() }}) as check_family,
        cast(null as {{ dbt.type_string() }}) as check_title,
        cast(null as {{ dbt.type_string() }}) as severity,
        cast(null as {{ dbt.type_string() }}) as owner,
        cast(null as {{ dbt.type_string() }}) as source_system,
        cast(null as {{ dbt.type_string() }}) as source_object,
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ dbt.type_string() }}) as related_keys,
        cast(null as {{ dbt.type_string() }}) as client_key,
        cast(null as {{ dbt.type_string() }}) as project_key,
        cast(null as {{ dbt.type_string() }}) as legal_entity_key,
        cast(null as {{ dbt.type_string() }}) as currency_code,
        cast(null as {{ throughline.amount_type() }}) as amount_at_risk,
        cast(null as {{ throughline.amount_type() }}) as amount_at_risk_reporting,
        cast(null as date) as event_date,
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
        coalesce(found.break_id, known.break_id) as any_break_id,
        found.break_id is not null as is_found,
        -- a break already recorded for this night (or a later one): a re-run, keep what is there
        known.last_seen_on is not null and found.detected_on is not null
            and known.last_seen_on >= found.detected_on as is_rerun,
        found.check_id as f_check_id, found.check_family as f_check_family, found.check_title as f_check_title,
        found.severity as f_severity, found.owner as f_owner, found.source_system as f_source_system,
        found.source_object as f_source_object, found.record_key as f_record_key,
        found.related_keys as f_related_keys, found.client_key as f_client_key,
        found.project_key as f_project_key, found.legal_entity_key as f_legal_entity_key,
        found.currency_code as f_currency_code, found.amount_at_risk as f_amount_at_risk,
        found.amount_at_risk_reporting as f_amount_at_risk_reporting, found.event_date as f_event_date,
        found.detected_on,
        known.*
    from found
    full outer join known on known.break_id = found.break_id
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
    any_break_id as break_id,
    coalesce(f_check_id, check_id) as check_id,
    coalesce(f_check_family, check_family) as check_family,
    coalesce(f_check_title, check_title) as check_title,
    coalesce(f_severity, severity) as severity,
    coalesce(f_owner, owner) as owner,
    coalesce(f_source_system, source_system) as source_system,
    coalesce(f_source_object, source_object) as source_object,
    coalesce(f_record_key, record_key) as record_key,
    case when is_found then f_related_keys else related_keys end as related_keys,
    case when is_found then f_client_key else client_key end as client_key,
    case when is_found then f_project_key else project_key end as project_key,
    case when is_found then f_legal_entity_key else legal_entity_key end as legal_entity_key,
    case when is_found then f_currency_code else currency_code end as currency_code,
    case when is_found then f_amount_at_risk else amount_at_risk end as amount_at_risk,
    case when is_found then f_amount_at_risk_reporting else amount_at_risk_reporting end
        as amount_at_risk_reporting,
    case when is_found then f_event_date else event_date end as event_date,
    coalesce(first_seen_on, detected_on) as first_seen_on,
    case when is_found and not is_rerun then detected_on else coalesce(last_seen_on, detected_on) end
        as last_seen_on,
    next_status as status,
    case
        when next_status = 'resolved' and status = 'resolved' then resolved_on
        when next_status = 'resolved' then (select night from tonight)
    end as resolved_on,
    coalesce(times_reopened, 0) + case when next_status = 'reopened' and status = 'resolved' then 1 else 0 end
        as times_reopened,
    -- open breaks age until tonight, resolved ones stopped ageing when last seen
    {{ dbt.datediff(
        'coalesce(first_seen_on, detected_on)',
        "case when next_status = 'resolved' then coalesce(last_seen_on, detected_on)"
        ~ " else coalesce((select night from tonight), detected_on, last_seen_on) end",
        'day') }} as age_days
from lifecycle
