//! Both clients of juspay-transport-std behind one face, so that every loopback case runs
//! through the blocking [`Client`] and the tokio [`AsyncClient`] alike (the fault,
//! certificate and hostile tables run over every transport from the test crate,
//! `tests/tests`).

#![allow(dead_code)] // each test file uses a part of it

use std::sync::Arc;

use std::time::Duration;

use juspay_transport_std::{
    AsyncClient, Client, Config, CreateCustomer, Customer, CustomerRequest, GetCustomer, Result,
};

/// Which client carries the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`Client`], on the test's threads.
    Blocking,
    /// [`AsyncClient`], on a multi-threaded tokio runtime of its own.
    Tokio,
}

/// A client of either kind.
#[derive(Clone)]
pub enum AnyClient {
    Blocking(Client),
    Tokio(AsyncClient, Arc<tokio::runtime::Runtime>),
}

impl AnyClient {
    pub fn new(kind: Kind, config: Config) -> Result<Self> {
        Ok(match kind {
            Kind::Blocking => AnyClient::Blocking(Client::new(config)?),
            Kind::Tokio => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                AnyClient::Tokio(AsyncClient::new(config)?, Arc::new(runtime))
            }
        })
    }

    /// One call; the tokio client's runs to its end on the runtime.
    pub fn get_customer(&self, request: &GetCustomer<'_>) -> Result<Customer> {
        match self {
            AnyClient::Blocking(client) => client.get_customer(request),
            AnyClient::Tokio(client, runtime) => runtime.block_on(client.get_customer(request)),
        }
    }

    /// Any request.
    pub fn call<'r>(&self, request: impl Into<CustomerRequest<'r>>) -> Result<Customer> {
        let request = request.into();
        match self {
            AnyClient::Blocking(client) => client.call(request),
            AnyClient::Tokio(client, runtime) => runtime.block_on(client.call(request)),
        }
    }

    /// Get-or-create; the tokio client's future is checked to be `Send` first.
    pub fn get_or_create(&self, create: &CreateCustomer<'_>) -> Result<Customer> {
        fn sendable<F: Send>(future: F) -> F {
            future
        }
        match self {
            AnyClient::Blocking(client) => client.get_or_create(create),
            AnyClient::Tokio(client, runtime) => {
                runtime.block_on(sendable(client.get_or_create(create)))
            }
        }
    }

    pub fn refresh_token(&self, customer: &mut Customer, margin: Duration) -> Result<bool> {
        match self {
            AnyClient::Blocking(client) => client.refresh_token(customer, margin),
            AnyClient::Tokio(client, runtime) => {
                runtime.block_on(client.refresh_token(customer, margin))
            }
        }
    }

    /// The same client (pool, settings, runtime) calling as another merchant account.
    pub fn with_account(&self, api_key: &str, merchant_id: &str) -> Result<Self> {
        Ok(match self {
            AnyClient::Blocking(client) => {
                AnyClient::Blocking(client.with_account(api_key, merchant_id)?)
            }
            AnyClient::Tokio(client, runtime) => {
                AnyClient::Tokio(client.with_account(api_key, merchant_id)?, runtime.clone())
            }
        })
    }

    pub fn connections_opened(&self) -> u64 {
        match self {
            AnyClient::Blocking(client) => client.connections_opened(),
            AnyClient::Tokio(client, _) => client.connections_opened(),
        }
    }

    pub fn idle_connections(&self) -> usize {
        match self {
            AnyClient::Blocking(client) => client.idle_connections(),
            AnyClient::Tokio(client, _) => client.idle_connections(),
        }
    }

    /// `callers` threads (blocking) or spawned tasks (tokio) share this client, each
    /// making `calls` calls for customers of its own (the sandbox's generated ones); every
    /// call must bring the customer it asked for.
    pub fn calls_side_by_side(&self, callers: usize, calls: usize) {
        let ids = |caller: usize| {
            (0..calls).map(move |call| {
                let suffix = format!("{caller}_{call}");
                (
                    format!("{}{suffix}", juspay_sandbox::GENERATED_ID_PREFIX),
                    suffix,
                )
            })
        };
        let check = |customer: Customer, id: &str, suffix: &str| {
            assert_eq!(customer.id, id);
            assert_eq!(customer.first_name.as_deref(), Some(suffix));
        };
        match self {
            AnyClient::Blocking(client) => std::thread::scope(|scope| {
                for caller in 0..callers {
                    let client = client.clone();
                    scope.spawn(move || {
                        for (id, suffix) in ids(caller) {
                            let customer = client.get_customer(&GetCustomer::new(&id)).unwrap();
                            check(customer, &id, &suffix);
                        }
                    });
                }
            }),
            AnyClient::Tokio(client, runtime) => runtime.block_on(async {
                let tasks: Vec<_> = (0..callers)
                    .map(|caller| {
                        let client = client.clone();
                        let ids: Vec<_> = ids(caller).collect();
                        // tokio::spawn: the call's future is Send.
                        tokio::spawn(async move {
                            for (id, suffix) in ids {
                                let customer =
                                    client.get_customer(&GetCustomer::new(&id)).await.unwrap();
                                check(customer, &id, &suffix);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            }),
        }
    }
}

impl std::fmt::Debug for AnyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnyClient::Blocking(client) => client.fmt(f),
            AnyClient::Tokio(client, _) => client.fmt(f),
        }
    }
}

/// Makes one test per kind of client for each `fn name(kind: Kind)`:
/// `blocking::name` and `tokio::name`.
#[macro_export]
macro_rules! for_each_client {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $(#[test] fn $name() { super::$name($crate::common::Kind::Blocking) })*
        }
        mod tokio {
            $(#[test] fn $name() { super::$name($crate::common::Kind::Tokio) })*
        }
    };
}
