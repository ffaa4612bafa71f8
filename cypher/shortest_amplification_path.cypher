// name: shortest_amplification_path
// purpose: The shortest chain of amplification (who retweeted or quoted whom) leading from one account to another.
// param source: str | account id or username where the chain starts (the amplifier)
// param target: str | account id or username where it ends (the amplified)
// returns: hops, path, path_ids
// example: signalboost query shortest_amplification_path --param source=citizen12_34 --param target=leaks0_96
MATCH (a:Account) WHERE a.account_id = $source OR a.username = $source
MATCH (b:Account) WHERE b.account_id = $target OR b.username = $target
MATCH p = shortestPath((a)-[:AMPLIFIED*..8]->(b))
RETURN length(p) AS hops, [n IN nodes(p) | coalesce(n.username, n.account_id)] AS path,
       [n IN nodes(p) | n.account_id] AS path_ids
