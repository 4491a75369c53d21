-- What in the CRM does not join, whichever CRM the firm runs: one row per record and broken link, so a real
-- export (Fivetran's hashed samples, a partial sync) reports its orphans instead of dropping them.
with accounts as (
    select account_id from {{ ref('int_crm__accounts') }}
),

opportunities as (
    select * from {{ ref('int_crm__opportunities') }}
),

history as (
    select * from {{ ref('int_crm__opportunity_history') }}
),

problems as (
    select
        'opportunity' as entity, o.opportunity_id as record_id, 'account_id' as link,
        o.account_id as missing_id, o._source_file, o._source_row
    from opportunities as o
    left join accounts as a on a.account_id = o.account_id
    where a.account_id is null

    union all

    select
        'opportunity', opportunity_id, 'stage', cast(null as {{ dbt.type_string() }}), _source_file, _source_row
    from opportunities
    where stage_name is null

    union all

    select
        'opportunity_history', h.opportunity_history_id, 'opportunity_id', h.opportunity_id, h._source_file,
        h._source_row
    from history as h
    left join opportunities as o on o.opportunity_id = h.opportunity_id
    where o.opportunity_id is null

    union all

    select
        'opportunity_history', opportunity_history_id, 'stage', cast(null as {{ dbt.type_string() }}),
        _source_file, _source_row
    from history
    where stage_name is null
)

select
    entity,
    record_id,
    link,
    missing_id,
    case
        when link = 'stage' then {{ throughline.string_literal("stage not found in the CRM's stages") }}
        when missing_id is null then {{ dbt.concat(['link', "' is empty'"]) }}
        else {{ dbt.concat(['link', "' '", 'missing_id', "' not found'"]) }}
    end as reason,
    '{{ throughline.crm_system() | trim }}' as source_system,
    _source_file,
    _source_row
from problems
