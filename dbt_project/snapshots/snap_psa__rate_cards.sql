{#- History of PSA rate cards: rates are edited in place, so each change of a rate card row is kept. -#}
{% snapshot snap_psa__rate_cards %}
{{ config(
    unique_key='rate_card_id',
    strategy='timestamp',
    updated_at='modified_at',
    hard_deletes='invalidate'
) }}
select
    rate_card_id,
    rate_card_name,
    role_id,
    currency_code,
    bill_rate,
    effective_from,
    effective_to,
    coalesce(modified_at, _loaded_at) as modified_at
from {{ throughline.psa_input('rate_cards') }}
{% endsnapshot %}
