-- CLIENT: PSA clients that the client crosswalk could not place with a CRM account or an ERP customer,
-- created more than var('recon_client_window_days') days before the night's PSA extract: CLIENT_DUPLICATE
-- when it competes with the company's matched client (duplicate_of), CLIENT_ORPHAN otherwise.
-- Classification in int_client_records_classified.
-- CLIENT_MATCH_UNRESOLVED: a record the crosswalk sent to review (int_client_match_review) whose review no
-- duplicate or orphan explains: neither record of the review, nor a record reviewed together with one of
-- them, is a suspected duplicate or an orphan. One break per record left undecided (the record with two
-- counterparts for an ambiguous match, else the review's left record), with its first and last counterpart.
with records as (
    select * from {{ ref('int_client_records_classified') }}
    where source_system = 'psa'
        and (is_duplicate or is_orphan)
        and created_at
            < {{ dbt.dateadd('day', -var('recon_client_window_days'), throughline.recon_detected_on('psa')) }}
),

review as (
    select * from {{ ref('int_client_match_review') }}
),

review_sides as (
    select review_id, left_system as side, left_id as record_id from review
    union all
    select review_id, right_system, right_id from review where right_id is not null
),

flagged as (
    select source_system as side, record_id from {{ ref('int_client_records_classified') }}
    where is_duplicate or is_orphan
),

-- a review is explained when one of its records, or a record reviewed together with one of them, is flagged
explained as (
    select distinct own.review_id
    from review_sides as own
    inner join review_sides as shared on shared.side = own.side and shared.record_id = own.record_id
    inner join review_sides as neighbour on neighbour.review_id = shared.review_id
    inner join flagged
        on flagged.side = neighbour.side and flagged.record_id = neighbour.record_id
),

undecided as (
    select
        case when review.review_reason = 'ambiguous_right' then review.right_system
            else review.left_system end as side,
        case when review.review_reason = 'ambiguous_right' then review.right_id
            else review.left_id end as record_id,
        case when review.review_reason = 'ambiguous_right' then review.right_name
            else review.left_name end as record_name,
        review.review_reason,
        case when review.review_reason = 'ambiguous_right'
            then {{ dbt.concat(['review.left_system', "':'", 'review.left_id']) }}
            else {{ dbt.concat(["coalesce(review.right_system, '')", "':'", "coalesce(review.right_id, '')"]) }}
        end as counterpart
    from review
    where review.review_id not in (select review_id from explained)
),

unresolved as (
    select
        side,
        record_id,
        min(record_name) as record_name,
        min(review_reason) as review_reason,
        min(counterpart) as first_counterpart,
        max(counterpart) as last_counterpart
    from undecided
    group by side, record_id
),

clients as (
    select * from {{ ref('int_clients_matched') }}
),

placed as (
    select client_key, 'crm' as side, crm_account_id as record_id from clients where crm_account_id is not null
    union all
    select client_key, 'erp', erp_customer_id from clients where erp_customer_id is not null
    union all
    select client_key, 'psa', psa_client_id from clients where psa_client_id is not null
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

union all

select
    {{ throughline.recon_columns(
        check_id="'CLIENT_MATCH_UNRESOLVED'",
        source_system="case u.side when 'crm' then '" ~ (throughline.source_system('crm') | trim)
            ~ "' when 'erp' then '" ~ (throughline.source_system('erp') | trim)
            ~ "' else '" ~ (throughline.source_system('psa') | trim) ~ "' end",
        source_object="case u.side when 'crm' then 'account' when 'erp' then 'customer' else 'clients' end",
        record_key="case when u.side = 'crm' then " ~ throughline.recon_json([('id', 'u.record_id', 'string')])
            ~ " else " ~ throughline.recon_json([('id', 'u.record_id', 'number')]) ~ " end",
        related_keys=throughline.recon_json([
            ('reason', 'u.review_reason', 'string'),
            ('counterpart', 'u.first_counterpart', 'string'),
            ('other_counterpart', 'nullif(u.last_counterpart, u.first_counterpart)', 'string'),
            ('name', 'u.record_name', 'string')]),
        client_key='p.client_key',
        detected_on="(select max(extract_date) from " ~ ref('stg_raw__extract_nights') ~ ")"
    ) }}
from unresolved as u
left join placed as p on p.side = u.side and p.record_id = u.record_id
