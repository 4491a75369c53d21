-- The nights each source system delivered, from the loader's log.
select
    {{ adapter.quote('system') }} as source_system,
    extract_date,
    count(distinct file) as files_seen  -- a reloaded file has two rows (the attempt it superseded, the reload)
from {{ source('raw', 'load_log') }}
where extract_date is not null
group by 1, 2
