-- CLIENT: PSA clients that the client crosswalk could not place with a CRM account or an ERP customer,
-- created more than var('recon_client_window_days') days before the night's PSA extract: CLIENT_DUPLICATE
-- when it competes with the company's matched client (duplicate_of), CLIENT_ORPHAN otherwise.
-- Classification in int_client_records_classified.
with records as (
    select * from {{ ref('int_client_records_classified') }}
    where source_system = 'psa'
        and (is_duplicate or is_orphan)
        and created_at
            < {{ dbt.dateadd('day', -var('recon_client_window_days'), throughline.recon_detected_on('psa')) }}
)

select
    {{ throughline.recon_columns(
        check_id="case when is_duplicate then 'CLIENT_DUPLICATE' else 'CLIENT_ORPHAN' end",
        source_system="'psa'",
        source_object="'clients'",
        record_key=throughline.recon_json([('id', 'record_id', 'number')]),
        related_keys="case when is_duplicate then "
            ~ throughline.recon_json([('duplicate_of', 'duplicate_of_record_id', 'number'), ('name', 'record_name', 'string')])
            ~ " else " ~ throughline.recon_json([('name', 'record_name', 'string')]) ~ " end",
        client_key='client_key',
        event_date=dbt.dateadd('day', var('recon_client_window_days'), 'cast(created_at as date)')
    ) }}
from records
