package driver

// The Go SDK v6 names the driver uses; v7/sdk.go gives the same names for v7.

import (
	ld "github.com/launchdarkly/go-server-sdk/v6"
	"github.com/launchdarkly/go-server-sdk/v6/interfaces"
	"github.com/launchdarkly/go-server-sdk/v6/ldcomponents"
	"github.com/launchdarkly/go-server-sdk/v6/subsystems"
	"github.com/launchdarkly/go-server-sdk/v6/subsystems/ldstoreimpl"
	"github.com/launchdarkly/go-server-sdk/v6/subsystems/ldstoretypes"
)

const sdkModule = "github.com/launchdarkly/go-server-sdk/v6"

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
