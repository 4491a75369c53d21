{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='time_entry_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_vanished_source_rows('time_entry_id', source('psa', 'time_entries'), 'id', id_str('id')) }}"
) }}
{#- Daily time entries. The one staging model kept as a table, built incrementally (on DuckDB; a table on
    Spark): the firm's largest source, read by the time fact and seven intermediates and checks, each of
    which would otherwise trim and decode every entry of the history again (docs/performance.md, item 22).
    An incremental night decodes the entries loaded within the lookback (new or changed versions replace
    the old by time_entry_id); the post-hook drops the entries deleted upstream or no longer in the raw
    layer, judging only the keys loaded since the last build (macro delete_vanished_source_rows). Same rows
    as a view of the raw table would show. -#}

with source as (
    select * from {{ source('psa', 'time_entries') }}
    where not coalesce(_is_deleted, false)
        and {{ incremental_lookback('_loaded_at') }}
)

select
    {{ id_str('id') }} as time_entry_id,
    {{ id_str('resource_id') }} as resource_id,
    {{ id_str('project_id') }} as project_id,
    {{ id_str('assignment_id') }} as assignment_id,
    {{ id_str('role_id') }} as role_id,
    spent_date,
    {{ adapter.quote('hours') }} as hours,
    is_billable,
    {{ label_str('work_type') }} as work_type,
    {{ label_str(adapter.quote('status')) }} as time_entry_status,
    submitted_at,
    approved_at,
    {{ id_str('approved_by_id') }} as approved_by_resource_id,
    bill_rate,
    cost_rate,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    {{ code_str('cost_currency') }} as cost_currency_code,
    {{ id_str('erp_invoice_id') }} as erp_invoice_id,
    notes,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at,
    {{ throughline.build_stamp() }} as _built_at
from source
