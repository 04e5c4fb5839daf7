package driver

// The Go SDK v7 names the driver uses; v6/sdk.go gives the same names for v6.

import (
	ld "github.com/launchdarkly/go-server-sdk/v7"
	"github.com/launchdarkly/go-server-sdk/v7/interfaces"
	"github.com/launchdarkly/go-server-sdk/v7/ldcomponents"
	"github.com/launchdarkly/go-server-sdk/v7/subsystems"
	"github.com/launchdarkly/go-server-sdk/v7/subsystems/ldstoreimpl"
	"github.com/launchdarkly/go-server-sdk/v7/subsystems/ldstoretypes"
)

const sdkModule = "github.com/launchdarkly/go-server-sdk/v7"

type (
	config                  = ld.Config
	client                  = ld.LDClient
	clientContext           = subsystems.ClientContext
	dataSource              = subsystems.DataSource
	dataSourceUpdateSink    = subsystems.DataSourceUpdateSink
	dataStore               = subsystems.DataStore
	persistentDataStore     = subsystems.PersistentDataStore
	dataKind                = ldstoretypes.DataKind
	itemDescriptor          = ldstoretypes.ItemDescriptor
	keyedItemDescriptor     = ldstoretypes.KeyedItemDescriptor
	collection              = ldstoretypes.Collection
	serializedItem          = ldstoretypes.SerializedItemDescriptor
	keyedSerializedItem     = ldstoretypes.KeyedSerializedItemDescriptor
	serializedCollection    = ldstoretypes.SerializedCollection
	dataSourceState         = interfaces.DataSourceState
	dataSourceErrorInfo     = interfaces.DataSourceErrorInfo
	dataSourceErrorKind     = interfaces.DataSourceErrorKind
	dataSourceStatus        = interfaces.DataSourceStatus
	dataStoreStatus         = interfaces.DataStoreStatus
	flagChangeEvent         = interfaces.FlagChangeEvent
	persistentStoreBuilder  = ldcomponents.PersistentDataStoreBuilder
)

var (
	makeCustomClient      = ld.MakeCustomClient
	noEvents              = ldcomponents.NoEvents
	inMemoryDataStore     = ldcomponents.InMemoryDataStore
	persistentDataStoreOf = ldcomponents.PersistentDataStore
	logging               = ldcomponents.Logging
	features              = ldstoreimpl.Features
	segments              = ldstoreimpl.Segments
)
