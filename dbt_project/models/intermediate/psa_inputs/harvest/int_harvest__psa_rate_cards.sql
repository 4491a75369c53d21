-- Harvest billable rates (per user, effective-dated) as the canonical rate cards of the user's rate role,
-- in the account currency. A rate without a start date has applied since the account began (1900-01-01).
select
    billable_rate_id as rate_card_id,
    'Harvest billable rate' as rate_card_name,
    user_id as role_id,
    '{{ var('harvest_account_currency') | upper }}' as currency_code,
    billable_rate as bill_rate,
    coalesce(start_date, cast('1900-01-01' as date)) as effective_from,
    end_date as effective_to,
    modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from {{ ref('stg_harvest__billable_rates') }}
