package driver

// The Redis integration for Go SDK v7: go-server-sdk-redis-redigo v3.

import ldredis "github.com/launchdarkly/go-server-sdk-redis-redigo/v3"

var redisDataStore = ldredis.DataStore
