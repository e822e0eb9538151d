-- One database per service on the LAN server (the front's is on its own server in the DMZ).
create database prepaid;
create database cabinet_back;
create database billing;
