// name: catalyst_cascade
// purpose: Who amplified an account (retweets and quotes, directly or through others), how many hops away, and how soon after its first tweet.
// param account: str | account id or username of the catalyst
// param hops: int = 2 | longest amplification chain followed (1 to 4)
// param limit: int = 200 | how many amplifiers
// returns: account_id, username, hops, first_amplified_at, seconds_after_first_tweet, bot_score, bot_label, role
// example: signalboost query catalyst_cascade --param account=catalyst0_63 --param hops=2
MATCH (c:Account)
WHERE c.account_id = $account OR c.username = $account
OPTIONAL MATCH (c)-[:POSTED]->(first:Tweet)
WITH c, min(first.ts) AS first_ts
MATCH p = (amp:Account)-[:AMPLIFIED*1..4]->(c)
WHERE length(p) <= $hops AND amp <> c
WITH c, first_ts, amp, min(length(p)) AS hops
MATCH (amp)-[r:AMPLIFIED]->()
WITH c, first_ts, amp, hops, min(r.first_ts) AS amplified_ts, min(r.first_at) AS first_amplified_at
RETURN amp.account_id AS account_id, amp.username AS username, hops, first_amplified_at,
       amplified_ts - first_ts AS seconds_after_first_tweet, amp.bot_score AS bot_score, amp.bot_label AS bot_label,
       amp.role AS role
ORDER BY hops ASC, amplified_ts ASC, account_id ASC
LIMIT $limit
