// The store importer's summary, rejected rows and format exception are Application types (the port
// the upload endpoint and the start-up import share), so the store-master tests see them here.
global using KC.Application.Common.Exceptions;
global using KC.Application.Common.Interfaces;
