{#- One row per PSA rate-card line: the standard bill rate of a role in a currency over a closed date range
    (effective_to filled with 9999-12-31 when open). Where two lines of the same role and currency overlap,
    the one that starts later wins from its start (valid_to of the earlier one is cut back), so a role,
    currency and day has at most one standard rate. Read by the leakage KPI (billed below rate card). -#}

with rate_cards as (
    select
        rate_card_id,
        rate_card_name,
        role_id,
        currency_code,
        bill_rate,
        effective_from,
        coalesce(effective_to, cast('9999-12-31' as date)) as effective_to
    from {{ throughline.psa_input('rate_cards') }}
    where role_id is not null and currency_code is not null and bill_rate is not null
        and effective_from is not null
),

next_start as (
    select
        r.*,
        lead(effective_from) over (
            partition by role_id, currency_code order by effective_from, rate_card_id
        ) as next_effective_from
    from rate_cards as r
)

select
    rate_card_id,
    rate_card_name,
    role_id,
    currency_code,
    bill_rate,
    effective_from as valid_from,
    case
        when next_effective_from is not null and next_effective_from <= effective_to
            then cast({{ dbt.dateadd('day', -1, 'next_effective_from') }} as date)
        else effective_to
    end as valid_to
from next_start
